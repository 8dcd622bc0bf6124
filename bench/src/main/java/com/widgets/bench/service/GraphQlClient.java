package com.widgets.bench.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP calls the harness makes: GraphQL over HTTP, rewiring uploads, actuator metrics. */
public final class GraphQlClient {

    private static final JsonMapper json = JsonMapper.builder().build();

    private final HttpClient http;
    private final String base;

    public GraphQlClient(String base) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.base = base;
    }

    /** Runs one operation; the whole response (data and errors). */
    public JsonNode execute(String document, Map<String, Object> variables) throws IOException, InterruptedException {
        String body = json.writeValueAsString(Map.of("query", document, "variables", variables));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30))
                .build();
        return json.readTree(
                http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Uploads a rewiring file as the raw body; returns the job id. */
    public String upload(Path file, String mode) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(base + "/rewiring/jobs?mode=" + mode + "&filename=" + file.getFileName()))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file))
                .timeout(Duration.ofMinutes(10))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException(
                    "upload of " + file + " answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body()).get("id").asString();
    }

    /** The service JVM's current heap use in bytes. */
    public double heapUsed() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(base + "/actuator/metrics/jvm.memory.used?tag=area:heap"))
                .timeout(Duration.ofSeconds(5))
                .build();
        JsonNode metric = json.readTree(
                http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        return metric.get("measurements").get(0).get("value").asDouble();
    }
}
