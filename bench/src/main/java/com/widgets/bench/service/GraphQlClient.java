package com.widgets.bench.service;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.FileEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP calls the harness makes: GraphQL over HTTP, rewiring uploads, actuator metrics. Apache HttpClient's classic
 * blocking client with pooled keep-alive connections: the load generator shares the machine's cores with the service
 * and PostgreSQL, and it costs about half the CPU per request of {@code java.net.http.HttpClient} (measured on the
 * GraphQL mutation loop), so it takes less from what it measures.
 */
public final class GraphQlClient implements AutoCloseable {

    private static final JsonMapper json = JsonMapper.builder().build();

    private final CloseableHttpClient http;
    private final String base;
    /** The service JVM's heap pools other than eden (they do not change while it runs); read at first need. */
    private List<String> heapPoolsOutsideEden;

    public GraphQlClient(String base) {
        this(base, true);
    }

    /** With {@code admin} false, a client that sends no token (PostGraphile refuses a token it was not set up for). */
    public GraphQlClient(String base, boolean admin) {
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(256)
                        .setMaxConnPerRoute(256)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofSeconds(5))
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.ofMinutes(10))
                        .build())
                .disableAutomaticRetries()
                .setDefaultHeaders(
                        admin
                                ? java.util.List.of(new org.apache.hc.core5.http.message.BasicHeader(
                                        "Authorization", "Bearer " + ServiceProcess.ADMIN_TOKEN))
                                : java.util.List.of())
                .build();
        this.base = base;
    }

    /** Runs one operation; the whole response (data and errors). */
    public JsonNode execute(String document, Map<String, Object> variables) throws IOException {
        HttpPost post = new HttpPost(base + "/graphql");
        post.setHeader("Accept", "application/graphql-response+json");
        post.setEntity(new StringEntity(
                json.writeValueAsString(Map.of("query", document, "variables", variables)),
                ContentType.APPLICATION_JSON));
        return http.execute(post, response -> json.readTree(EntityUtils.toString(response.getEntity())));
    }

    /** Uploads a rewiring file as the raw body; returns the job id. */
    public String upload(Path file, String mode) throws IOException {
        HttpPost post = new HttpPost(base + "/rewiring/jobs?mode=" + mode + "&filename=" + file.getFileName());
        post.setEntity(new FileEntity(file.toFile(), ContentType.APPLICATION_OCTET_STREAM));
        return http.execute(post, response -> {
            String body = EntityUtils.toString(response.getEntity());
            if (response.getCode() != 202) {
                throw new IllegalStateException("upload of " + file + " answered " + response.getCode() + ": " + body);
            }
            return json.readTree(body).get("id").asString();
        });
    }

    /** A counter or gauge from the service's actuator metrics, e.g. {@code jvm.compilation.time}. */
    public double metric(String name, String tag) throws IOException {
        return measurements(name, tag).get(0).get("value").asDouble();
    }

    private JsonNode measurements(String name, String tag) throws IOException {
        return metricJson(name, tag).get("measurements");
    }

    /** The actuator's answer for a metric: its measurements and the tags it can be narrowed by. */
    private JsonNode metricJson(String name, String tag) throws IOException {
        HttpGet get = new HttpGet(base + "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag));
        return http.execute(get, response -> json.readTree(EntityUtils.toString(response.getEntity())));
    }

    /** The service JVM's JIT compilation time so far, in milliseconds. */
    public double compilationMillis() throws IOException {
        return metric("jvm.compilation.time", null);
    }

    /** A number of garbage-collection pauses and their total seconds. */
    public record Pauses(double count, double seconds) {

        /** The pauses since {@code earlier}. */
        public Pauses since(Pauses earlier) {
            return new Pauses(count - earlier.count, seconds - earlier.seconds);
        }

        /** These pauses and {@code other}'s together. */
        public Pauses plus(Pauses other) {
            return new Pauses(count + other.count, seconds + other.seconds);
        }
    }

    /**
     * The service JVM's garbage-collection pauses so far (Micrometer's {@code jvm.gc.pause}: young and full
     * collections; G1's remark and cleanup pauses are reported as concurrent phases and not counted): count and total
     * seconds.
     */
    public Pauses gcPauses() throws IOException {
        double count = 0, seconds = 0;
        for (JsonNode m : measurements("jvm.gc.pause", null)) {
            switch (m.get("statistic").asString()) {
                case "COUNT" -> count = m.get("value").asDouble();
                case "TOTAL_TIME" -> seconds = m.get("value").asDouble();
                default -> {}
            }
        }
        return new Pauses(count, seconds);
    }

    /** The service JVM's current heap use in bytes. */
    public double heapUsed() throws IOException {
        return metric("jvm.memory.used", "area:heap");
    }

    /**
     * The service JVM's heap use in bytes outside the young generation's eden: what has survived a collection. Eden
     * fills to its size between young collections whatever the work, so with a floor under the heap ({@code -Xms}) the
     * whole heap's use says more about the collector's sizing than about the work.
     */
    public double heapOutsideEden() throws IOException {
        if (heapPoolsOutsideEden == null) {
            List<String> pools = new ArrayList<>();
            for (JsonNode tag : metricJson("jvm.memory.used", "area:heap").get("availableTags")) {
                if (tag.get("tag").asString().equals("id")) {
                    for (JsonNode pool : tag.get("values")) {
                        if (!pool.asString().contains("Eden")) {
                            pools.add(pool.asString());
                        }
                    }
                }
            }
            heapPoolsOutsideEden = pools;
        }
        double bytes = 0;
        for (String pool : heapPoolsOutsideEden) {
            bytes += metric("jvm.memory.used", "area:heap&tag=id:" + pool.replace(" ", "%20"));
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
