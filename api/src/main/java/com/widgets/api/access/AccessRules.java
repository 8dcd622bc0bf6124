package com.widgets.api.access;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may knock on which door. Every request is stateless: a bearer token in the {@code Authorization} header (never
 * a cookie, so another site's page cannot borrow a browser's session), checked against the admin token, the tokens
 * this service minted, or a JWT issuer when {@code spring.security.oauth2.resourceserver.jwt.*} names one. GraphQL
 * is checked per operation by {@link OperationAccess}; the other doors by path below.
 */
@Configuration(proxyBeanMethods = false)
class AccessRules {

    /** The request attribute naming the role a path rule asked for (for the refusal's message). */
    static final String NEEDED = AccessRules.class.getName() + ".needed";

    /** The console's content security policy: its own scripts and connections only, no frames, no plugins. */
    static final String CONSOLE_POLICY = "default-src 'self'; script-src 'self'; connect-src 'self';"
            + " img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none';"
            + " frame-ancestors 'none'; form-action 'self'";

    /**
     * No Micrometer observation around each security filter, authentication and authorization: a dozen observations
     * per request, a measurable share of a small request's CPU (bench/PROFILE.md), and no metric or trace anyone reads.
     * Requests stay observed as a whole ({@code http.server.requests}, {@code graphql.request}).
     */
    @Bean
    static SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    ApiTokens apiTokens(JdbcClient jdbc) {
        return new ApiTokens(jdbc);
    }

    @Bean
    TokenAuthentication tokenAuthentication(
            ApiTokens tokens, SecuritySettings settings, ObjectProvider<JwtDecoder> jwtDecoder) {
        return new TokenAuthentication(tokens, settings, jwtDecoder.getIfAvailable() != null);
    }

    @Bean
    Authenticator authenticator(
            TokenAuthentication tokens, SecuritySettings settings, ObjectProvider<JwtDecoder> jwtDecoder) {
        List<AuthenticationProvider> providers = new ArrayList<>();
        providers.add(tokens);
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        if (decoder != null) {
            JwtAuthenticationProvider jwt = new JwtAuthenticationProvider(decoder);
            jwt.setJwtAuthenticationConverter(new JwtRoles(settings.roleClaim()));
            providers.add(jwt);
        }
        return new Authenticator(new ProviderManager(providers));
    }

    @Bean
    SecurityFilterChain accessFilterChain(
            HttpSecurity http, Authenticator authenticator, SecuritySettings settings, JsonMapper json)
            throws Exception {
        AccessRefusals refusals = new AccessRefusals(json);
        Role anonymous = settings.openReads() ? Role.VIEWER : Role.NONE;
        http.csrf(AbstractHttpConfigurer::disable)
                // the console's pages run only their own scripts: an injected one could read the token it holds
                .headers(headers -> headers.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        new OrRequestMatcher(
                                PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, "/"),
                                PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, "/index.html"),
                                PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, "/console/**")),
                        new StaticHeadersWriter("Content-Security-Policy", CONSOLE_POLICY))))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .cors(AbstractHttpConfigurer::disable)
                .addFilterBefore(cors(settings, json), BearerTokenAuthenticationFilter.class)
                .anonymous(anon -> anon.principal(Caller.ANONYMOUS))
                .oauth2ResourceServer(server -> server.authenticationManagerResolver(request -> authenticator.manager())
                        .authenticationEntryPoint(refusals)
                        .accessDeniedHandler(refusals))
                .exceptionHandling(
                        errors -> errors.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
                .addFilterAfter(callerAttribute(anonymous), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(paths -> paths
                        // the request dispatch was checked; an error page or an async result is its continuation
                        .dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC)
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers("/actuator", "/actuator/**")
                        .access(needs(Role.ADMIN))
                        // each operation is checked by OperationAccess; a WebSocket handshake carries no header
                        .requestMatchers("/graphql")
                        .permitAll()
                        .requestMatchers(
                                HttpMethod.GET,
                                "/",
                                "/index.html",
                                "/README.md",
                                "/docs/*.md",
                                "/samples/*",
                                "/graphiql",
                                "/graphql/schema",
                                "/webjars/**",
                                "/console/**",
                                "/favicon.ico")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/rewiring/export")
                        .access(needs(Role.ADMIN))
                        .requestMatchers(HttpMethod.GET, "/rewiring/jobs/**")
                        .access(needs(Role.VIEWER))
                        .requestMatchers(HttpMethod.GET, "/**")
                        .access(needs(Role.VIEWER))
                        .requestMatchers(HttpMethod.HEAD, "/**")
                        .access(needs(Role.VIEWER))
                        // every other method changes something: uploads, the seed REST writes
                        .anyRequest()
                        .access(needs(Role.OPERATOR)));
        return http.build();
    }

    /** Grants a request when its caller has {@code role}; remembers the role for a refusal's message. */
    private static AuthorizationManager<RequestAuthorizationContext> needs(Role role) {
        return (authentication, context) -> {
            context.getRequest().setAttribute(NEEDED, role);
            return new AuthorizationDecision(
                    Caller.of(context.getRequest()).role().allows(role));
        };
    }

    /** Puts the caller on the request, for the path rules, GraphQL and the actor of changes. */
    private static Filter callerAttribute(Role anonymous) {
        return (request, response, chain) -> {
            Caller caller = SecurityContextHolder.getContext().getAuthentication()
                            instanceof Caller.Authentication authenticated
                    ? authenticated.caller()
                    : Caller.anonymous(anonymous);
            request.setAttribute(Caller.ATTRIBUTE, caller);
            chain.doFilter(request, response);
        };
    }

    /**
     * Cross-origin requests only from the configured origins: none by default, so a page on another site may neither
     * write (even a "simple" request that needs no preflight is refused) nor read; refusals are JSON.
     */
    private static CorsFilter cors(SecuritySettings settings, JsonMapper json) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(settings.corsAllowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE"));
        cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept", "X-Actor"));
        cors.setExposedHeaders(List.of("X-Request-Id", "Location"));
        cors.setAllowCredentials(false);
        cors.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", cors);
        CorsFilter filter = new CorsFilter(source);
        filter.setCorsProcessor(new DefaultCorsProcessor() {
            @Override
            protected void rejectRequest(ServerHttpResponse response) throws IOException {
                response.setStatusCode(HttpStatus.FORBIDDEN);
                response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
                json.writeValue(
                        response.getBody(),
                        Map.of(
                                "code",
                                "CROSS_ORIGIN_REFUSED",
                                "message",
                                "A page on another origin may not call this service; allow its origin with"
                                        + " widgets.security.cors-allowed-origins."));
                response.flush();
            }
        });
        return filter;
    }
}
