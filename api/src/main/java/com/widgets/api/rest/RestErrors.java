package com.widgets.api.rest;

import com.widgets.api.WidgetsApiApplication;
import com.widgets.api.system.ApiError;
import com.widgets.api.system.InvalidInput;
import com.widgets.api.system.Refusals;
import com.widgets.api.system.UnsupportedContentType;
import com.widgets.db.ErrorCode;
import com.widgets.db.WiringException;
import com.widgets.ingest.rewire.RefusedFile;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

/**
 * The one place that turns refusals into REST responses (the seed endpoints and the rewiring uploads): {@code
 * {"code", "message"}} (plus {@code field} for invalid input and a refused file) with 400 for a malformed request or
 * a rewiring file no job could read, 404 for a missing
 * widget or job, 409 when the wiring's or the job's state refuses it, 413 for a body over its limit, 415 for a body
 * of a type the endpoint does not take. A refused write (any method but GET) is counted by its code ({@link
 * Refusals}).
 */
@RestControllerAdvice(basePackageClasses = WidgetsApiApplication.class)
class RestErrors {

    private final Refusals refusals;

    RestErrors(ObjectProvider<MeterRegistry> registry) {
        this.refusals = new Refusals(registry, "rest");
    }

    @ExceptionHandler(WiringException.class)
    ResponseEntity<Map<String, Object>> refused(WiringException e, HttpServletRequest request) {
        return error(request, status(e.code()), e.code().name(), e.getMessage(), e.field());
    }

    @ExceptionHandler(InvalidInput.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidInput e, HttpServletRequest request) {
        return error(request, HttpStatus.BAD_REQUEST, ErrorCode.INVALID_INPUT.name(), e.getMessage(), e.field());
    }

    @ExceptionHandler(ApiError.class)
    ResponseEntity<Map<String, Object>> api(ApiError e, HttpServletRequest request) {
        HttpStatus status = switch (e.code()) {
            case NAME_MISMATCH, JOB_NOT_RESTARTABLE -> HttpStatus.CONFLICT;
            // Over REST the only limits are on the size of the request body.
            case LIMIT_EXCEEDED -> HttpStatus.CONTENT_TOO_LARGE;
            case SLOW_SUBSCRIBER -> HttpStatus.BAD_REQUEST;
            case JOB_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case LIVE_UPDATES_INTERRUPTED, TOO_MANY_SUBSCRIPTIONS -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        return error(request, status, e.code().name(), e.getMessage(), null);
    }

    /** A rewiring file no job could read (not gzip, not UTF-8, a bad header, no record, ...). */
    @ExceptionHandler(RefusedFile.class)
    ResponseEntity<Map<String, Object>> refusedFile(RefusedFile e, HttpServletRequest request) {
        return error(request, HttpStatus.BAD_REQUEST, e.code().name(), e.getMessage(), "file");
    }

    /** A multipart upload over the limit, found while the container parsed it (a body without a declared length). */
    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Map<String, Object>> tooLarge(MaxUploadSizeExceededException e, HttpServletRequest request) {
        return error(
                request,
                HttpStatus.CONTENT_TOO_LARGE,
                ApiError.Code.LIMIT_EXCEEDED.name(),
                "The upload is over the limit"
                        + (e.getMaxUploadSize() > 0 ? " of " + e.getMaxUploadSize() + " bytes" : "")
                        + " (widgets.rewiring.max-upload-size).",
                null);
    }

    /** A multipart body that cannot be read as one. */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<Map<String, Object>> unreadableUpload(MultipartException e, HttpServletRequest request) {
        return error(
                request,
                HttpStatus.BAD_REQUEST,
                ErrorCode.INVALID_INPUT.name(),
                "file could not be read as a multipart/form-data upload; send the file as the multipart field 'file'.",
                "file");
    }

    /** A body of a type the endpoint does not take: 415 naming the types it does. */
    @ExceptionHandler(UnsupportedContentType.class)
    ResponseEntity<Map<String, Object>> unsupportedType(UnsupportedContentType e, HttpServletRequest request) {
        ResponseEntity<Map<String, Object>> refused =
                error(request, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", e.getMessage(), null);
        refused.getBody()
                .put(
                        "acceptedContentTypes",
                        e.accepted().stream().map(Object::toString).toList());
        return ResponseEntity.status(refused.getStatusCode())
                .header(
                        "Accept",
                        e.accepted().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(", ")))
                .body(refused.getBody());
    }

    @ExceptionHandler(JsonBody.Malformed.class)
    ResponseEntity<Map<String, Object>> malformed(JsonBody.Malformed e, HttpServletRequest request) {
        return error(request, HttpStatus.BAD_REQUEST, "MALFORMED_JSON", e.getMessage(), null);
    }

    static HttpStatus status(ErrorCode code) {
        return switch (code) {
            case INVALID_INPUT, SELF_LINK, PORT_NOT_ON_WIDGET -> HttpStatus.BAD_REQUEST;
            case WIDGET_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case WIDGET_EXISTS, PORT_BUSY, NOT_LINKED_TO, CONTENTION -> HttpStatus.CONFLICT;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    private ResponseEntity<Map<String, Object>> error(
            HttpServletRequest request, HttpStatus status, String code, String message, String field) {
        if (!HttpMethod.GET.matches(request.getMethod())) {
            refusals.count(code);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        return ResponseEntity.status(status).body(body);
    }
}
