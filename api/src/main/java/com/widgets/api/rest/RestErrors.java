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
import org.springframework.core.task.TaskRejectedException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;

/**
 * The one place that turns refusals into REST responses (the seed endpoints and the rewiring uploads): {@code
 * {"code", "message"}} (plus {@code field} for invalid input and a refused file) with 400 for a malformed request or
 * a rewiring file no job could read, 404 for a missing
 * widget or job, 409 when the wiring's or the job's state refuses it, 413 for a body over its limit, 415 for a body
 * of a type the endpoint does not take, 503 with {@code Retry-After} for {@code BUSY} and {@code UNAVAILABLE} (the
 * database's fault, not the caller's), 507 {@code STORAGE_FULL} for an upload the disk had no room for. A refused write (any method but GET) is counted by its code ({@link
 * Refusals}).
 */
@RestControllerAdvice(basePackageClasses = WidgetsApiApplication.class)
class RestErrors {

    /** Seconds a client is told to wait before trying again when every connection was in use. */
    static final int BUSY_RETRY_AFTER = 1;
    /** Seconds a client is told to wait before trying again when the database (or the disk) is unavailable. */
    static final int UNAVAILABLE_RETRY_AFTER = 5;

    private final Refusals refusals;

    RestErrors(ObjectProvider<MeterRegistry> registry) {
        this.refusals = new Refusals(registry, "rest");
    }

    @ExceptionHandler(WiringException.class)
    ResponseEntity<Map<String, Object>> refused(WiringException e, HttpServletRequest request) {
        ResponseEntity<Map<String, Object>> refused =
                error(request, status(e.code()), e.code().name(), e.getMessage(), e.field());
        return switch (e.code()) {
            case BUSY -> retryAfter(refused, BUSY_RETRY_AFTER);
            case UNAVAILABLE -> retryAfter(refused, UNAVAILABLE_RETRY_AFTER);
            default -> refused;
        };
    }

    /** The same outage met outside the store (a job's status, a reject report): 503 with the store's codes. */
    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        CannotCreateTransactionException.class
    })
    ResponseEntity<Map<String, Object>> databaseFailure(Exception e, HttpServletRequest request) {
        return refused(WiringException.unavailable(e), request);
    }

    /** Every transfer slot in use ({@code widgets.http.max-transfers}): the upload or download was not started. */
    @ExceptionHandler(TaskRejectedException.class)
    ResponseEntity<Map<String, Object>> noTransferSlot(TaskRejectedException e, HttpServletRequest request) {
        return refused(
                new WiringException(
                        ErrorCode.BUSY,
                        "Every transfer slot is in use (widgets.http.max-transfers uploads and downloads at once);"
                                + " nothing was read or written, try again in a moment."),
                request);
    }

    private static ResponseEntity<Map<String, Object>> retryAfter(
            ResponseEntity<Map<String, Object>> response, int seconds) {
        return ResponseEntity.status(response.getStatusCode())
                .header(HttpHeaders.RETRY_AFTER, Integer.toString(seconds))
                .body(response.getBody());
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
            case STORAGE_FULL -> HttpStatus.INSUFFICIENT_STORAGE;
        };
        ResponseEntity<Map<String, Object>> refused =
                error(request, status, e.code().name(), e.getMessage(), null);
        return e.code() == ApiError.Code.STORAGE_FULL ? retryAfter(refused, UNAVAILABLE_RETRY_AFTER) : refused;
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
            case BUSY, UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
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
