package com.widgets.api.rewiring;

import com.widgets.api.system.BodyLimit;
import jakarta.servlet.MultipartConfigElement;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * Uploads have a size limit of their own, far above the one for GraphQL and seed REST requests, and the container
 * spools multipart uploads among the partial uploads.
 */
@Configuration(proxyBeanMethods = false)
class RewiringConfiguration {

    @Bean
    BodyLimit uploadLimit(RewiringSettings settings) {
        return new BodyLimit(RewiringRestController.JOBS, settings.maxUploadSize(), "widgets.rewiring.max-upload-size");
    }

    /**
     * Spring Boot's multipart settings, but spooled to this process's partial uploads unless {@code
     * spring.servlet.multipart.location} says otherwise: on the upload directory's disk, so a complete part is moved
     * into place by a rename rather than copied, and a part cut off by a killed process is deleted at the next start
     * (in the container's default place, a temporary directory of its own, it would stay).
     */
    @Bean
    MultipartConfigElement multipartConfigElement(MultipartProperties multipart, PartialUploads partials)
            throws java.io.IOException {
        MultipartConfigElement config = multipart.createMultipartConfig();
        if (StringUtils.hasText(config.getLocation())) {
            return config;
        }
        return new MultipartConfigElement(
                partials.spool().toString(),
                config.getMaxFileSize(),
                config.getMaxRequestSize(),
                config.getFileSizeThreshold());
    }
}
