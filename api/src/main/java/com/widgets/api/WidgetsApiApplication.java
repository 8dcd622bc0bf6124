package com.widgets.api;

import com.widgets.api.access.TokenCommand;
import com.widgets.api.start.StartTraining;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.PropertySource;

/** The wiring service: GraphQL API, seed-compatible REST and rewiring uploads over one wiring store. */
@SpringBootApplication
@ConfigurationPropertiesScan
@PropertySource("classpath:widgets-api.properties")
public class WidgetsApiApplication {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(TokenCommand.run(System.out, java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("cds-training")) {
            System.exit(
                    StartTraining.run(WidgetsApiApplication.class, java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(WidgetsApiApplication.class, args);
    }
}
