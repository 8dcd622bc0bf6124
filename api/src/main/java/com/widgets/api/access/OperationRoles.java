package com.widgets.api.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.Parser;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * What a GraphQL operation is and which role it needs: queries and subscriptions need a viewer, mutations an
 * operator, {@code startRewiring} (it runs a file already on the server) an admin; introspection alone needs no token,
 * so GraphiQL can show the schema before one is pasted. Kept per document text, like parsed documents.
 */
@Component
public class OperationRoles {

    /** What an operation needs: its type (null when the document does not parse), the role, the field that asks it. */
    public record Need(OperationDefinition.Operation operation, Role role, String field) {}

    private static final Need UNREADABLE = new Need(null, Role.VIEWER, "this request");
    private static final Map<String, Role> ADMIN_MUTATIONS = Map.of("startRewiring", Role.ADMIN);
    private static final int MAX_CACHED_LENGTH = 16 * 1024;

    private record Key(String query, String operationName) {}

    private final Cache<Key, Need> needs = Caffeine.newBuilder()
            .maximumWeight(4L * 1024 * 1024)
            .weigher((Key key, Need need) -> key.query().length())
            .build();

    /** What the named operation of {@code query} needs (the only one when no name is given). */
    public Need of(String query, String operationName) {
        if (query == null) {
            return UNREADABLE;
        }
        if (query.length() > MAX_CACHED_LENGTH) {
            return analyse(query, operationName);
        }
        return needs.get(new Key(query, operationName), key -> analyse(key.query(), key.operationName()));
    }

    private static Need analyse(String query, String operationName) {
        Document document;
        try {
            document = Parser.parse(query);
        } catch (RuntimeException unparsable) {
            // execution reports the syntax error to anyone who may run queries
            return UNREADABLE;
        }
        OperationDefinition operation = operation(document, operationName);
        if (operation == null) {
            return UNREADABLE;
        }
        Need need = new Need(operation.getOperation(), Role.NONE, null);
        return rootFields(operation.getSelectionSet(), fragments(document), new HashSet<>(), need);
    }

    /** The named operation of {@code document} (the only one when no name is given), or null when there is none. */
    public static OperationDefinition operation(Document document, String operationName) {
        List<OperationDefinition> operations = document.getDefinitionsOfType(OperationDefinition.class);
        for (OperationDefinition operation : operations) {
            if (operations.size() == 1 || (operationName != null && operationName.equals(operation.getName()))) {
                return operation;
            }
        }
        return null;
    }

    /** The document's fragments by name, the first of a name kept (validation refuses a second). */
    public static Map<String, FragmentDefinition> fragments(Document document) {
        return document.getDefinitionsOfType(FragmentDefinition.class).stream()
                .collect(java.util.stream.Collectors.toMap(
                        FragmentDefinition::getName, fragment -> fragment, (first, second) -> first));
    }

    private static Need rootFields(
            SelectionSet selections, Map<String, FragmentDefinition> fragments, Set<String> seen, Need need) {
        if (selections == null) {
            return need;
        }
        for (Selection<?> selection : selections.getSelections()) {
            if (selection instanceof Field field) {
                Role role = role(need.operation(), field.getName());
                if (!need.role().allows(role)) {
                    need = new Need(need.operation(), role, field.getName());
                }
            } else if (selection instanceof InlineFragment inline) {
                need = rootFields(inline.getSelectionSet(), fragments, seen, need);
            } else if (selection instanceof FragmentSpread spread
                    && seen.add(spread.getName())
                    && fragments.get(spread.getName()) != null) {
                need = rootFields(fragments.get(spread.getName()).getSelectionSet(), fragments, seen, need);
            }
        }
        return need;
    }

    private static Role role(OperationDefinition.Operation operation, String field) {
        if (field.startsWith("__")) {
            return Role.NONE;
        }
        if (operation == OperationDefinition.Operation.MUTATION) {
            return ADMIN_MUTATIONS.getOrDefault(field, Role.OPERATOR);
        }
        return Role.VIEWER;
    }
}
