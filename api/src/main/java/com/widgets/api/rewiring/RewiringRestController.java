package com.widgets.api.rewiring;

import com.widgets.api.access.RequestOrigin;
import com.widgets.api.system.ApiError;
import com.widgets.api.system.BodyLimit;
import com.widgets.api.system.InvalidInput;
import com.widgets.api.system.Transfers;
import com.widgets.api.system.UnsupportedContentType;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * Rewiring over HTTP: upload a file to run ({@code POST /rewiring/jobs}, multipart field {@code file} or the raw body
 * with a {@code filename} parameter), read a job's status and its reject report, export the current wiring.
 */
@RestController
class RewiringRestController {

    static final String JOBS = "/rewiring/jobs";

    /** Multipart, or a raw body declared as what it is; never text/plain or a form, which any page may send. */
    private static final List<MediaType> UPLOAD_TYPES = List.of(
            MediaType.MULTIPART_FORM_DATA,
            MediaType.parseMediaType("text/csv"),
            MediaType.parseMediaType("application/x-ndjson"),
            MediaType.parseMediaType("application/jsonl"),
            MediaType.APPLICATION_JSON,
            MediaType.parseMediaType("application/gzip"),
            MediaType.parseMediaType("application/x-gzip"),
            MediaType.APPLICATION_OCTET_STREAM);

    private static final String CSV = "text/csv;charset=UTF-8";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final RewiringJobs jobs;
    private final RewiringFiles files;
    private final Transfers transfers;

    RewiringRestController(RewiringJobs jobs, RewiringFiles files, Transfers transfers) {
        this.jobs = jobs;
        this.files = files;
        this.transfers = transfers;
    }

    static String jobPath(long id) {
        return JOBS + "/" + id;
    }

    static String rejectsPath(long id) {
        return jobPath(id) + "/rejects";
    }

    /**
     * Streams the upload to disk and starts a job on it, on a transfer thread ({@link Transfers}): a client that
     * sends slowly holds that, not a request thread. Parameters are read from the query string only: asking the
     * container for request parameters would make it parse a raw body sent as a form ({@code curl --data-binary}).
     */
    @PostMapping(JOBS)
    WebAsyncTask<ResponseEntity<Map<String, Object>>> upload(HttpServletRequest request) {
        UnsupportedContentType.require(
                request,
                UPLOAD_TYPES,
                "send the file as the multipart field 'file' (curl -F file=@rewire.csv), or as the raw body with its"
                        + " type (curl --data-binary @rewire.csv -H 'Content-Type: text/csv').");
        Map<String, String> query = query(request.getQueryString());
        String actor = RequestOrigin.of(request).actor();
        RewiringMode mode = mode(query.get("mode"));
        return transfers.run(() -> accept(request, query, mode, actor));
    }

    private ResponseEntity<Map<String, Object>> accept(
            HttpServletRequest request, Map<String, String> query, RewiringMode mode, String actor) throws IOException {
        Path file;
        if (request instanceof MultipartHttpServletRequest multipart) {
            try (RewiringFiles.Spooling spooling = files.spooling()) {
                // the container spools the part among the partial uploads as it parses it, here
                MultipartFile part = spooling.part(multipart, "file");
                if (part == null) {
                    throw new InvalidInput(
                            "file",
                            "is required: send the rewiring file as the multipart field 'file' (curl -F"
                                    + " file=@rewire.csv)");
                }
                if (query.get("mode") == null && multipart.getParameter("mode") != null) {
                    mode = mode(multipart.getParameter("mode"));
                }
                String given = part.getOriginalFilename();
                String name = RewiringFiles.fileName(
                        "filename", given == null || given.isBlank() ? query.get("filename") : given);
                file = files.store(name, part);
            }
        } else {
            String name = RewiringFiles.fileName("filename", query.get("filename"));
            try {
                file = files.store(name, request.getInputStream());
            } catch (BodyLimit.Exceeded e) {
                throw new ApiError(ApiError.Code.LIMIT_EXCEEDED, e.getMessage());
            }
        }
        files.check(file, true);
        // Only now, complete and checked, does the upload get its final name: a process killed before this point
        // leaves a partial upload, deleted at the next start, and no job.
        file = files.publish(file);
        long id = jobs.submit(file, mode, actor);
        return ResponseEntity.accepted()
                .location(URI.create(request.getContextPath() + jobPath(id)))
                .body(Map.of("id", Long.toString(id)));
    }

    @GetMapping(JOBS + "/{id}")
    Map<String, Object> job(@PathVariable String id) {
        return json(existing(id));
    }

    @GetMapping(JOBS + "/{id}/rejects")
    WebAsyncTask<Void> rejects(@PathVariable String id, HttpServletResponse response) {
        RewiringJob job = existing(id);
        return csv(response, "rewiring-" + job.id() + ".rejects.csv", out -> jobs.rejects(job.id(), out));
    }

    @GetMapping("/rewiring/export")
    WebAsyncTask<Void> export(HttpServletResponse response) {
        return csv(response, "widgets-" + STAMP.format(Instant.now()) + ".csv", jobs::export);
    }

    /**
     * A CSV attachment written on a transfer thread ({@link Transfers}): a client that reads slowly holds that, not a
     * request thread. Its headers are set there too, so a download refused {@code BUSY} carries none of them. The
     * handlers take the response, so Spring MVC writes nothing more when the transfer returns.
     */
    private WebAsyncTask<Void> csv(HttpServletResponse response, String fileName, CsvBody body) {
        return transfers.run(() -> {
            response.setContentType(CSV);
            response.setHeader(
                    HttpHeaders.CONTENT_DISPOSITION,
                    ContentDisposition.attachment().filename(fileName).build().toString());
            body.writeTo(response.getOutputStream());
            return null;
        });
    }

    private interface CsvBody {
        void writeTo(OutputStream out) throws IOException;
    }

    private RewiringJob existing(String id) {
        Long job = RewiringController.parse(id);
        return (job == null ? Optional.<RewiringJob>empty() : jobs.status(job))
                .orElseThrow(() -> RewiringController.notFound(id));
    }

    private static RewiringMode mode(String text) {
        try {
            return RewiringMode.of(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("mode", "must be apply, dry-run or atomic, not '" + text + "'");
        }
    }

    private static Map<String, String> query(String queryString) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (queryString == null) {
            return parameters;
        }
        for (String pair : queryString.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("query", "is not a valid URL query string");
        }
    }

    /** A job as JSON: the same fields as the GraphQL type {@code RewiringJob}. */
    static Map<String, Object> json(RewiringJob job) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", Long.toString(job.id()));
        json.put("status", job.status().name());
        json.put("mode", job.mode().name());
        json.put("fileName", job.fileName());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("read", job.counts().read());
        counts.put("applied", job.counts().applied());
        counts.put("unchanged", job.counts().unchanged());
        counts.put("rejected", job.counts().rejected());
        json.put("counts", counts);
        json.put("totalLines", job.totalLines());
        json.put("opsPerSecond", job.opsPerSecond());
        json.put("secondsLeft", job.secondsLeft());
        json.put("startedAt", job.startedAt() == null ? null : job.startedAt().toString());
        json.put("endedAt", job.endedAt() == null ? null : job.endedAt().toString());
        json.put("message", job.message());
        json.put("rejectsUrl", rejectsPath(job.id()));
        return json;
    }
}
