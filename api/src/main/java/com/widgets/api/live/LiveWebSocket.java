package com.widgets.api.live;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * The WebSocket container's per-connection buffers. Tomcat allocates them up front for every open WebSocket (the text
 * one two bytes a character), so they are small: a longer text message reaches the handler in parts, which {@link
 * WellFormedMessages} joins up to {@code widgets.live.max-web-socket-message}. At the full 16 KB they were ~48 KB of an
 * open connection's ~90 KB, which a thousand one-subscription consoles kept live in the heap.
 */
@Configuration(proxyBeanMethods = false)
class LiveWebSocket {

    /** Characters of a text message Tomcat holds at once; most graphql-transport-ws messages fit. */
    static final int TEXT_BUFFER = 2048;
    /** graphql-transport-ws has no binary messages: the first part of one is enough to refuse it. */
    static final int BINARY_BUFFER = 128;

    /**
     * Tomcat's JVM-wide system property for three more buffers of every WebSocket: the frame reader's input and the
     * sender's output and encoder buffers (8 KiB each by default). A message longer than them leaves in more than one
     * frame or write, as a longer one does at 8 KiB.
     */
    static final String FRAME_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    static final int FRAME_BUFFER = 2048;

    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(TEXT_BUFFER);
        container.setMaxBinaryMessageBufferSize(BINARY_BUFFER);
        return container;
    }

    /**
     * Sets {@value #FRAME_BUFFER_PROPERTY} unless the JVM was started with it: Tomcat reads it once, as its WebSocket
     * classes load when the server starts, after this runs. 18 KB less of each open connection's ~80 KB.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> webSocketFrameBuffers() {
        return factory -> {
            if (System.getProperty(FRAME_BUFFER_PROPERTY) == null) {
                System.setProperty(FRAME_BUFFER_PROPERTY, Integer.toString(FRAME_BUFFER));
            }
        };
    }
}
