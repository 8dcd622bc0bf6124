package com.widgets.api.rewiring;

import com.widgets.api.system.BodyLimit;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Uploads have a size limit of their own, far above the one for GraphQL and seed REST requests. */
@Configuration(proxyBeanMethods = false)
class RewiringConfiguration {

    @Bean
    BodyLimit uploadLimit(RewiringSettings settings) {
        return new BodyLimit(RewiringRestController.JOBS, settings.maxUploadSize(), "widgets.rewiring.max-upload-size");
    }
}
