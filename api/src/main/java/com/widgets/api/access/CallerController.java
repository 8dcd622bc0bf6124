package com.widgets.api.access;

import graphql.GraphQLContext;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** {@code me}: who the caller is and what their role may do, so a client offers only what it may. */
@Controller
class CallerController {

    @QueryMapping
    Caller me(GraphQLContext context) {
        return Caller.of(context);
    }
}
