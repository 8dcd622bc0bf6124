package com.widgets.api;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.InfrastructureProxy;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Counts the SQL statements the store runs outside transactions (its reads), by wrapping the DataSource of the
 * JdbcTemplate it uses. The wrapper unwraps to the pool for Spring's transaction lookup, so writes still join their
 * transactions (and are not counted); Liquibase and the rest keep the plain pool.
 */
public final class StatementCounter {

    private final AtomicLong executed = new AtomicLong();

    public long count() {
        return executed.get();
    }

    /** Registers the counter and wraps the DataSource bean with it. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        static StatementCounter statementCounter() {
            return new StatementCounter();
        }

        @Bean
        static BeanPostProcessor countingDataSource(
                org.springframework.beans.factory.ObjectProvider<StatementCounter> counter) {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (bean instanceof JdbcTemplate jdbc && !(jdbc.getDataSource() instanceof Counting)) {
                        jdbc.setDataSource(new Counting(jdbc.getDataSource(), counter.getObject()));
                    }
                    return bean;
                }
            };
        }
    }

    private static final class Counting extends DelegatingDataSource implements InfrastructureProxy {
        private final StatementCounter counter;

        Counting(DataSource target, StatementCounter counter) {
            super(target);
            this.counter = counter;
        }

        @Override
        public Object getWrappedObject() {
            return getTargetDataSource();
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            return proxy(Connection.class, super.getConnection(), counter);
        }

        @Override
        public Connection getConnection(String username, String password) throws java.sql.SQLException {
            return proxy(Connection.class, super.getConnection(username, password), counter);
        }
    }

    /**
     * Statements of requests (Tomcat's threads) and of the test itself; what runs in the background meanwhile — the
     * live feed, job progress, sweepers — is not the request's, and made the counts flaky (5 instead of 3).
     */
    private static boolean counted(Thread thread) {
        String name = thread.getName();
        return name.startsWith("http-nio") || name.equals("main");
    }

    private static <T> T proxy(Class<T> type, T target, StatementCounter counter) {
        InvocationHandler handler = (self, method, args) -> {
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof PreparedStatement statement) {
                return proxy(PreparedStatement.class, statement, counter);
            }
            if (result instanceof Statement statement && type == Connection.class) {
                return proxy(Statement.class, statement, counter);
            }
            if (method.getName().startsWith("execute")
                    && !(target instanceof Connection)
                    && counted(Thread.currentThread())) {
                counter.executed.incrementAndGet();
            }
            return result;
        };
        return type.cast(
                Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
