package com.widgets.api.live;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

/**
 * The WebSocket container's per-connection buffers: Tomcat allocates a text buffer of the largest message size for
 * every open WebSocket up front (two bytes a character), so it is sized for GraphQL documents, not HTTP bodies — at
 * 256 KB it was half a megabyte an idle subscriber, and a thousand of them filled a 1 GB heap.
 */
@Configuration(proxyBeanMethods = false)
class LiveWebSocket {

    @Bean
    ServletServerContainerFactoryBean webSocketContainer(LiveSettings settings) {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        int size = (int) settings.maxWebSocketMessage().toBytes();
        container.setMaxTextMessageBufferSize(size);
        container.setMaxBinaryMessageBufferSize(size);
        return container;
    }
}
