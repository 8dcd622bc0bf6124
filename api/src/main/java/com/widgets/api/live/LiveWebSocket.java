package com.widgets.api.live;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * The WebSocket container's per-connection message buffers. Tomcat allocates them up front for every open WebSocket
 * (the text one two bytes a character), so they are small: a longer text message reaches the handler in parts, which
 * {@link WellFormedMessages} joins up to {@code widgets.live.max-web-socket-message}. At the full 16 KB they were ~48
 * KB of an open connection's ~90 KB, which a thousand one-subscription consoles kept live in the heap.
 */
@Configuration(proxyBeanMethods = false)
class LiveWebSocket {

    /** Characters of a text message Tomcat holds at once; most graphql-transport-ws messages fit. */
    static final int TEXT_BUFFER = 2048;
    /** graphql-transport-ws has no binary messages: the first part of one is enough to refuse it. */
    static final int BINARY_BUFFER = 128;

    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(TEXT_BUFFER);
        container.setMaxBinaryMessageBufferSize(BINARY_BUFFER);
        return container;
    }
}
