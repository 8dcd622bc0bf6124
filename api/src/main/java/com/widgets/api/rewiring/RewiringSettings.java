package com.widgets.api.rewiring;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the API takes rewiring files, under {@code widgets.rewiring.*}.
 *
 * @param uploadDir where uploaded files are written (each in a directory of its own) and kept, so a job can be
 *     restarted on them
 * @param maxUploadSize the largest upload, as a raw body or a multipart request
 * @param allowedDirs directories besides the upload directory and the inbox whose files {@code startRewiring} may run
 */
@ConfigurationProperties("widgets.rewiring")
record RewiringSettings(
        @DefaultValue("data/uploads") Path uploadDir,
        @DefaultValue("1GB") DataSize maxUploadSize,
        @DefaultValue List<Path> allowedDirs) {

    RewiringSettings {
        if (maxUploadSize.toBytes() < 1) {
            throw new IllegalArgumentException("widgets.rewiring.max-upload-size must be positive");
        }
    }
}
