package com.widgets.api.rewiring;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param uploadRetention how long an upload is kept after its job failed or stopped (so it can be restarted), and an
 *     upload no job ran; a completed job's upload goes at the next sweep
 * @param uploadSweepInterval how often uploads no job needs any more are deleted
 * @param recoverDeadJobs whether this service resumes jobs whose process died, as it starts and every 10 seconds
 */
@ConfigurationProperties("widgets.rewiring")
record RewiringSettings(
        @DefaultValue("data/uploads") Path uploadDir,
        @DefaultValue("1GB") DataSize maxUploadSize,
        @DefaultValue List<Path> allowedDirs,
        @DefaultValue("7d") Duration uploadRetention,
        @DefaultValue("10m") Duration uploadSweepInterval,
        @DefaultValue("true") boolean recoverDeadJobs) {

    RewiringSettings {
        if (maxUploadSize.toBytes() < 1) {
            throw new IllegalArgumentException("widgets.rewiring.max-upload-size must be positive");
        }
        if (uploadRetention.isNegative()) {
            throw new IllegalArgumentException("widgets.rewiring.upload-retention must not be negative");
        }
        if (uploadSweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("widgets.rewiring.upload-sweep-interval must be at least 1s");
        }
    }
}
