package com.widgets.api.access;

import java.io.PrintStream;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.stereotype.Component;

/**
 * On the very first start of a service with neither an admin token nor a JWT issuer configured, mints an admin token
 * and prints it once, with how to use it — so no one writes anonymously, yet a newcomer is two commands from a
 * working service. Printed on standard output, not logged: a secret has no place in a log file or a log pipeline.
 */
@Component
class FirstStartToken implements ApplicationRunner {

    private final ApiTokens tokens;
    private final SecuritySettings settings;
    private final ObjectProvider<JwtDecoder> jwt;
    private final Environment environment;
    private final PrintStream out;

    FirstStartToken(
            ApiTokens tokens, SecuritySettings settings, ObjectProvider<JwtDecoder> jwt, Environment environment) {
        this.tokens = tokens;
        this.settings = settings;
        this.jwt = jwt;
        this.environment = environment;
        this.out = System.out;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (settings.hasAdminToken() || jwt.getIfAvailable() != null) {
            return;
        }
        Optional<ApiTokens.Minted> minted = tokens.mintFirstStart();
        minted.ifPresent(token -> print(token.secret()));
    }

    private void print(String token) {
        String base = "http://localhost:" + environment.getProperty("local.server.port", "8080");
        String line = "=".repeat(100);
        out.println(line);
        out.println("First start: this is the admin token. It is shown only now (only its hash is kept) - copy it:");
        out.println();
        out.println("    " + token);
        out.println();
        out.println("Send it as a header:  Authorization: Bearer " + token);
        out.println("  curl -H 'Authorization: Bearer " + token + "' -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"query\":\"{ widgets(first: 5) { edges { node { serialNumber } } } }\"}' " + base
                + "/graphql");
        out.println(
                "In GraphiQL (" + base + "/graphiql) put it in the Headers pane. Mint tokens per role, revoke them:");
        out.println("  java -jar api/target/widgets-api.jar token mint --role=operator --subject=alice");
        out.println(line);
        out.flush();
    }
}
