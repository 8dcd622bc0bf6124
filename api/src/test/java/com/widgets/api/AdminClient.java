package com.widgets.api;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/** Signs the tests' {@code HttpGraphQlTester} in as the admin of the tests' settings. */
@TestConfiguration(proxyBeanMethods = false)
public class AdminClient {

    @Bean
    WebTestClientBuilderCustomizer adminToken() {
        return builder -> builder.defaultHeader("Authorization", Fixtures.BEARER);
    }
}
