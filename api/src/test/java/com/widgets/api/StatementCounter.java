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
import org.springframework.jdbc.datasource.DelegatingDataSource;

/** Counts the SQL statements the application executes, by wrapping the pool's DataSource. */
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
                    return bean instanceof DataSource dataSource && !(bean instanceof Counting)
                            ? new Counting(dataSource, counter.getObject())
                            : bean;
                }
            };
        }
    }

    private static final class Counting extends DelegatingDataSource {
        private final StatementCounter counter;

        Counting(DataSource target, StatementCounter counter) {
            super(target);
            this.counter = counter;
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
            if (method.getName().startsWith("execute") && !(target instanceof Connection)) {
                counter.executed.incrementAndGet();
            }
            return result;
        };
        return type.cast(
                Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
