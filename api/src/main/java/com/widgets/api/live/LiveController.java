package com.widgets.api.live;

import com.widgets.db.PortRef;
import com.widgets.db.WiringEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/** Live wiring changes, as they commit. */
@Controller
class LiveController {

    private final WiringFanout fanout;

    LiveController(WiringFanout fanout) {
        this.fanout = fanout;
    }

    @SubscriptionMapping
    Flux<WiringEvent> wiringChanged(@Argument List<String> serialNumbers) {
        Set<String> serials = null;
        if (serialNumbers != null) {
            serials = new LinkedHashSet<>();
            for (String serial : serialNumbers) {
                serials.add(PortRef.serial("serialNumbers", serial));
            }
        }
        return fanout.subscribe(serials);
    }
}
