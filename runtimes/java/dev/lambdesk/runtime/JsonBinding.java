package dev.lambdesk.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Calendar;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events to handler types and handler results to JSON, as Lambda's Java serializer (Jackson,
 * configured by aws-lambda-java-serialization) does it for a POJO handler:
 * <ul>
 * <li>properties are public fields, getters ({@code getX}, {@code isX} for a {@code boolean})
 * and setters of any visibility, named by the JavaBeans rule ({@code getURL} is {@code URL});
 * names are case-sensitive;
 * <li>unknown properties are ignored, a missing one keeps its default, {@code null} gives a
 * primitive its default, an unknown enum name is {@code null};
 * <li>scalars are coerced ({@code "42"} to an {@code int}, {@code 42} to a {@code String}), a
 * single value is read as a one-element array and a one-element array as a single value;
 * <li>null properties are left out of the response; a {@code Map}'s null values are kept;
 * {@code Date} is written as epoch milliseconds and {@code byte[]} as base64;
 * <li>{@code java.time} types and {@code Optional} are refused, as Jackson without its
 * JSR-310 and JDK 8 modules refuses them.
 * </ul>
 */
final class JsonBinding {
    private static final Map<Class<?>, Bean> BEANS = new ConcurrentHashMap<>();
    private static final int MAX_DEPTH = 1000;

    private JsonBinding() {}

    /** An event that cannot be read as the handler's type, in Jackson's words. */
    static final class BindingError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindingError(String message) {
            super(message);
        }

        BindingError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- reading ----------------------------------------------------------------------

    /** {@code tree} (from {@link Json#parse}) as a value of {@code type}. */
    static Object read(Object tree, Type type) {
        return read(tree, type, Map.of(), 0);
    }

    private static Object read(Object tree, Type type, Map<TypeVariable<?>, Type> bindings, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BindingError("the event is nested deeper than " + MAX_DEPTH + " levels");
        }
        Type resolved = resolve(type, bindings);
        Class<?> raw = rawClass(resolved);
        if (raw == Object.class) {
            return tree;
        }
        if (tree == null) {
            return raw.isPrimitive() ? defaultOf(raw) : null;
        }
        if (raw.isPrimitive() || isScalar(raw)) {
            return readScalar(tree, raw);
        }
        if (raw.isEnum()) {
            return readEnum(tree, raw);
        }
        if (raw == byte[].class && tree instanceof String) {
            try {
                return Base64.getDecoder().decode((String) tree);
            } catch (IllegalArgumentException e) {
                throw new BindingError("Cannot deserialize value of type `byte[]` from String: not base64", e);
            }
        }
        if (raw.isArray() || Collection.class.isAssignableFrom(raw)) {
            return readArray(tree, resolved, raw, bindings, depth);
        }
        if (tree instanceof List) {
            List<?> list = (List<?>) tree;
            if (list.size() == 1) {
                return read(list.get(0), resolved, bindings, depth + 1);
            }
            throw mismatch(raw, "Array value (token `JsonToken.START_ARRAY`)");
        }
        if (Map.class.isAssignableFrom(raw)) {
            return readMap(tree, resolved, raw, bindings, depth);
        }
        refuseUnsupported(raw);
        if ("".equals(tree)) {
            return null;
        }
        if (!(tree instanceof Map)) {
            throw mismatch(raw, describeToken(tree));
        }
        return readBean(castMap(tree), resolved, raw, bindings, depth);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object tree) {
        return (Map<String, Object>) tree;
    }

    private static BindingError mismatch(Class<?> raw, String what) {
        return new BindingError("Cannot deserialize value of type `" + typeName(raw) + "` from " + what);
    }

    private static String typeName(Class<?> raw) {
        return raw.isArray() ? raw.getComponentType().getName() + "[]" : raw.getName();
    }

    private static String describeToken(Object tree) {
        if (tree instanceof Map) {
            return "Object value (token `JsonToken.START_OBJECT`)";
        }
        if (tree instanceof List) {
            return "Array value (token `JsonToken.START_ARRAY`)";
        }
        if (tree instanceof String) {
            return "String value (token `JsonToken.VALUE_STRING`)";
        }
        if (tree instanceof Boolean) {
            return "Boolean value (token `JsonToken.VALUE_" + String.valueOf(tree).toUpperCase() + "`)";
        }
        if (tree instanceof Double) {
            return "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)";
        }
        return "Integer value (token `JsonToken.VALUE_NUMBER_INT`)";
    }

    private static boolean isScalar(Class<?> raw) {
        return raw == String.class || raw == Integer.class || raw == Long.class || raw == Double.class
                || raw == Float.class || raw == Short.class || raw == Byte.class || raw == Boolean.class
                || raw == Character.class || raw == BigDecimal.class || raw == BigInteger.class
                || raw == Number.class || raw == Date.class || raw == CharSequence.class;
    }

    private static Object defaultOf(Class<?> primitive) {
        if (primitive == boolean.class) {
            return false;
        }
        if (primitive == char.class) {
            return '\0';
        }
        return readNumber(0, primitive);
    }

    private static Object readScalar(Object tree, Class<?> raw) {
        if (tree instanceof List) {
            List<?> list = (List<?>) tree;
            if (list.size() == 1 && !(list.get(0) instanceof List)) {
                return readScalar(list.get(0), raw);
            }
            throw mismatch(raw, describeToken(tree));
        }
        if (tree instanceof Map) {
            throw mismatch(raw, describeToken(tree));
        }
        if (raw == String.class || raw == CharSequence.class) {
            return String.valueOf(tree);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (tree instanceof Boolean) {
                return tree;
            }
            if (tree instanceof String) {
                String text = ((String) tree).trim();
                if (text.isEmpty()) {
                    return raw.isPrimitive() ? false : null;
                }
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    return Boolean.valueOf(text);
                }
                throw new BindingError("Cannot deserialize value of type `" + raw.getName()
                        + "` from String \"" + tree + "\": only \"true\" or \"false\" recognized");
            }
            if (tree instanceof Integer || tree instanceof Long) {
                return ((Number) tree).longValue() != 0;
            }
            throw mismatch(raw, describeToken(tree));
        }
        if (raw == char.class || raw == Character.class) {
            String text = String.valueOf(tree);
            if (text.length() == 1) {
                return text.charAt(0);
            }
            throw new BindingError("Cannot deserialize value of type `" + raw.getName()
                    + "` from String value: expected a single character, got " + text.length());
        }
        if (raw == Date.class) {
            if (tree instanceof Number) {
                return new Date(((Number) tree).longValue());
            }
            if (tree instanceof String) {
                try {
                    return Date.from(java.time.OffsetDateTime.parse((String) tree).toInstant());
                } catch (java.time.format.DateTimeParseException e) {
                    try {
                        return new Date(Long.parseLong((String) tree));
                    } catch (NumberFormatException notMillis) {
                        throw new BindingError("Cannot deserialize value of type `java.util.Date` from String \""
                                + tree + "\": not a valid representation", e);
                    }
                }
            }
            throw mismatch(raw, describeToken(tree));
        }
        // A number.
        if (tree instanceof Boolean) {
            throw mismatch(raw, describeToken(tree));
        }
        if (tree instanceof String) {
            String text = ((String) tree).trim();
            if (text.isEmpty()) {
                return raw.isPrimitive() ? defaultOf(raw) : null;
            }
            try {
                return readNumber(new BigDecimal(text), raw);
            } catch (NumberFormatException e) {
                throw new BindingError("Cannot deserialize value of type `" + raw.getName() + "` from String \""
                        + text + "\": not a valid `" + raw.getName() + "` value", e);
            }
        }
        return readNumber((Number) tree, raw);
    }

    private static Object readNumber(Number number, Class<?> raw) {
        if (raw == int.class || raw == Integer.class) {
            return number.intValue();
        }
        if (raw == long.class || raw == Long.class) {
            return number.longValue();
        }
        if (raw == double.class || raw == Double.class) {
            return number.doubleValue();
        }
        if (raw == float.class || raw == Float.class) {
            return number.floatValue();
        }
        if (raw == short.class || raw == Short.class) {
            return number.shortValue();
        }
        if (raw == byte.class || raw == Byte.class) {
            return number.byteValue();
        }
        if (raw == BigDecimal.class) {
            return number instanceof BigDecimal ? number : new BigDecimal(number.toString());
        }
        if (raw == BigInteger.class) {
            return number instanceof BigDecimal ? ((BigDecimal) number).toBigInteger()
                    : number instanceof BigInteger ? number : BigInteger.valueOf(number.longValue());
        }
        // Number itself: what the tree holds.
        return number;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readEnum(Object tree, Class<?> raw) {
        Object[] constants = raw.getEnumConstants();
        if (tree instanceof Integer) {
            int ordinal = (Integer) tree;
            return ordinal >= 0 && ordinal < constants.length ? constants[ordinal] : null;
        }
        if (tree instanceof String) {
            for (Object constant : constants) {
                if (((Enum) constant).name().equals(tree)) {
                    return constant;
                }
            }
            // READ_UNKNOWN_ENUM_VALUES_AS_NULL, as Lambda's serializer is configured.
            return null;
        }
        throw mismatch(raw, describeToken(tree));
    }

    @SuppressWarnings("unchecked")
    private static Object readArray(Object tree, Type type, Class<?> raw, Map<TypeVariable<?>, Type> bindings,
            int depth) {
        if ("".equals(tree)) {
            return null;
        }
        List<?> items = tree instanceof List ? (List<?>) tree : List.of(tree);
        if (tree instanceof Map && !raw.isArray()) {
            throw mismatch(raw, describeToken(tree));
        }
        if (raw.isArray()) {
            Type component = type instanceof GenericArrayType ? ((GenericArrayType) type).getGenericComponentType()
                    : raw.getComponentType();
            Object array = Array.newInstance(raw.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) {
                Array.set(array, i, read(items.get(i), component, bindings, depth + 1));
            }
            return array;
        }
        Type element = typeArgument(type, 0);
        Collection<Object> collection = (Collection<Object>) newContainer(raw);
        for (Object item : items) {
            collection.add(read(item, element, bindings, depth + 1));
        }
        return collection;
    }

    private static Object newContainer(Class<?> raw) {
        if (!raw.isInterface() && !Modifier.isAbstract(raw.getModifiers())) {
            try {
                return raw.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new BindingError("Cannot construct instance of `" + raw.getName() + "`", e);
            }
        }
        if (SortedSet.class.isAssignableFrom(raw)) {
            return new TreeSet<>();
        }
        if (Set.class.isAssignableFrom(raw)) {
            return new HashSet<>();
        }
        if (SortedMap.class.isAssignableFrom(raw)) {
            return new TreeMap<>();
        }
        if (Map.class.isAssignableFrom(raw)) {
            return new LinkedHashMap<>();
        }
        return new ArrayList<>();
    }

    @SuppressWarnings("unchecked")
    private static Object readMap(Object tree, Type type, Class<?> raw, Map<TypeVariable<?>, Type> bindings,
            int depth) {
        if ("".equals(tree)) {
            return null;
        }
        if (!(tree instanceof Map)) {
            throw mismatch(raw, describeToken(tree));
        }
        Class<?> keyClass = rawClass(resolve(typeArgument(type, 0), bindings));
        Type valueType = typeArgument(type, 1);
        Map<Object, Object> map = (Map<Object, Object>) newContainer(raw);
        for (Map.Entry<String, Object> entry : castMap(tree).entrySet()) {
            Object key = keyClass == Object.class || keyClass == String.class ? entry.getKey()
                    : readScalarOrEnum(entry.getKey(), keyClass);
            map.put(key, read(entry.getValue(), valueType, bindings, depth + 1));
        }
        return map;
    }

    private static Object readScalarOrEnum(String key, Class<?> raw) {
        return raw.isEnum() ? readEnum(key, raw) : readScalar(key, raw);
    }

    private static Object readBean(Map<String, Object> tree, Type type, Class<?> raw,
            Map<TypeVariable<?>, Type> outer, int depth) {
        Map<TypeVariable<?>, Type> bindings = bindingsOf(type, outer);
        Bean bean = bean(raw);
        if (bean.recordConstructor != null) {
            return readRecord(tree, bean, bindings, depth);
        }
        if (bean.constructor == null) {
            throw new BindingError("Cannot construct instance of `" + raw.getName() + "` ("
                    + (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())
                            ? "abstract types either need to be mapped to concrete types"
                            : "no Creators, like default constructor, exist")
                    + ")");
        }
        Object instance;
        try {
            instance = bean.constructor.newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new BindingError("Cannot construct instance of `" + raw.getName() + "`: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new BindingError("Cannot construct instance of `" + raw.getName() + "`", e);
        }
        for (Map.Entry<String, Object> entry : tree.entrySet()) {
            Property property = bean.writable.get(entry.getKey());
            if (property == null) {
                continue; // FAIL_ON_UNKNOWN_PROPERTIES is off in Lambda's serializer.
            }
            Object value = read(entry.getValue(), property.type, bindings, depth + 1);
            try {
                property.set(instance, value);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new BindingError("Problem deserializing property '" + entry.getKey() + "' (of `"
                        + raw.getName() + "`): " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                throw new BindingError("Problem deserializing property '" + entry.getKey() + "' (of `"
                        + raw.getName() + "`): " + e, e);
            }
        }
        return instance;
    }

    private static Object readRecord(Map<String, Object> tree, Bean bean, Map<TypeVariable<?>, Type> bindings,
            int depth) {
        RecordComponent[] components = bean.type.getRecordComponents();
        Object[] arguments = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            Object value = tree.get(components[i].getName());
            arguments[i] = read(value, components[i].getGenericType(), bindings, depth + 1);
        }
        try {
            return bean.recordConstructor.newInstance(arguments);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new BindingError("Cannot construct instance of `" + bean.type.getName() + "`: " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new BindingError("Cannot construct instance of `" + bean.type.getName() + "`", e);
        }
    }

    private static void refuseUnsupported(Class<?> raw) {
        String name = raw.getName();
        if (name.startsWith("java.time.")) {
            throw new BindingError("Java 8 date/time type `" + name
                    + "` not supported by default: add Module \"com.fasterxml.jackson.datatype:jackson-datatype-jsr310\" to enable handling");
        }
        if (name.startsWith("java.util.Optional")) {
            throw new BindingError("Java 8 optional type `" + name
                    + "` not supported by default: add Module \"com.fasterxml.jackson.datatype:jackson-datatype-jdk8\" to enable handling");
        }
    }

    // ---- types ------------------------------------------------------------------------

    /** The type's variables replaced by what {@code bindings} says they are. */
    static Type resolve(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (type instanceof TypeVariable) {
            Type bound = bindings.get(type);
            if (bound != null) {
                return bound;
            }
            Type[] bounds = ((TypeVariable<?>) type).getBounds();
            return bounds.length > 0 ? resolve(bounds[0], bindings) : Object.class;
        }
        if (type instanceof WildcardType) {
            Type[] upper = ((WildcardType) type).getUpperBounds();
            return upper.length > 0 ? resolve(upper[0], bindings) : Object.class;
        }
        if (type instanceof ParameterizedType && !bindings.isEmpty()) {
            ParameterizedType parameterized = (ParameterizedType) type;
            Type[] arguments = parameterized.getActualTypeArguments().clone();
            for (int i = 0; i < arguments.length; i++) {
                arguments[i] = resolve(arguments[i], bindings);
            }
            return new Parameterized((Class<?>) parameterized.getRawType(), arguments);
        }
        return type;
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) type).getRawType();
        }
        if (type instanceof GenericArrayType) {
            return Array.newInstance(rawClass(((GenericArrayType) type).getGenericComponentType()), 0).getClass();
        }
        return Object.class;
    }

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType) {
            Type[] arguments = ((ParameterizedType) type).getActualTypeArguments();
            if (index < arguments.length) {
                return arguments[index];
            }
        }
        return Object.class;
    }

    /** The class's type variables bound to {@code type}'s arguments, on top of {@code outer}. */
    static Map<TypeVariable<?>, Type> bindingsOf(Type type, Map<TypeVariable<?>, Type> outer) {
        if (!(type instanceof ParameterizedType)) {
            return outer;
        }
        ParameterizedType parameterized = (ParameterizedType) type;
        TypeVariable<?>[] variables = ((Class<?>) parameterized.getRawType()).getTypeParameters();
        Type[] arguments = parameterized.getActualTypeArguments();
        Map<TypeVariable<?>, Type> bindings = new HashMap<>(outer);
        for (int i = 0; i < variables.length && i < arguments.length; i++) {
            bindings.put(variables[i], resolve(arguments[i], outer));
        }
        return bindings;
    }

    /** A parameterized type with its variables resolved. */
    static final class Parameterized implements ParameterizedType {
        private final Class<?> raw;
        private final Type[] arguments;

        Parameterized(Class<?> raw, Type[] arguments) {
            this.raw = raw;
            this.arguments = arguments;
        }

        @Override
        public Type[] getActualTypeArguments() {
            return arguments.clone();
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public Type getOwnerType() {
            return null;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(raw.getName()).append('<');
            for (int i = 0; i < arguments.length; i++) {
                text.append(i == 0 ? "" : ", ").append(arguments[i].getTypeName());
            }
            return text.append('>').toString();
        }
    }

    // ---- beans ------------------------------------------------------------------------

    /** A property that can be read or written: a field or an accessor. */
    private static final class Property {
        final Type type;
        final Field field;
        final Method method;

        Property(Type type, Field field, Method method) {
            this.type = type;
            this.field = field;
            this.method = method;
        }

        Object get(Object instance) throws ReflectiveOperationException {
            return method != null ? method.invoke(instance) : field.get(instance);
        }

        void set(Object instance, Object value) throws ReflectiveOperationException {
            if (method != null) {
                method.invoke(instance, value);
            } else {
                field.set(instance, value);
            }
        }
    }

    /** What binding knows about a class, worked out once. */
    private static final class Bean {
        final Class<?> type;
        final Constructor<?> constructor;
        final Constructor<?> recordConstructor;
        final Map<String, Property> readable = new LinkedHashMap<>();
        final Map<String, Property> writable = new LinkedHashMap<>();

        Bean(Class<?> type) {
            this.type = type;
            this.recordConstructor = type.isRecord() ? canonicalConstructor(type) : null;
            this.constructor = recordConstructor == null ? noArgumentConstructor(type) : null;
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    Method accessor = component.getAccessor();
                    accessor.setAccessible(true);
                    readable.put(component.getName(), new Property(component.getGenericType(), null, accessor));
                }
                return;
            }
            // Fields first, in declaration order (superclass first), as Jackson orders them.
            List<Class<?>> lineage = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                lineage.add(0, c);
            }
            for (Class<?> c : lineage) {
                for (Field field : c.getDeclaredFields()) {
                    int modifiers = field.getModifiers();
                    if (Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers)
                            && !Modifier.isTransient(modifiers)) {
                        field.setAccessible(true);
                        Property property = new Property(field.getGenericType(), field, null);
                        readable.put(field.getName(), property);
                        if (!Modifier.isFinal(modifiers)) {
                            writable.put(field.getName(), property);
                        }
                    }
                }
            }
            for (Method method : type.getMethods()) {
                String name = getterName(method);
                if (name != null) {
                    // A public getter of a class that is not public (a nested class).
                    method.setAccessible(true);
                    readable.put(name, new Property(method.getGenericReturnType(), null, method));
                }
            }
            for (Class<?> c : lineage) {
                for (Method method : c.getDeclaredMethods()) {
                    String name = setterName(method);
                    if (name != null) {
                        method.setAccessible(true);
                        writable.put(name, new Property(method.getGenericParameterTypes()[0], null, method));
                    }
                }
            }
            // A getter found before a field of its name would put it later: keep fields' order.
        }

        private static Constructor<?> noArgumentConstructor(Class<?> type) {
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers())
                    || (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers()))) {
                return null;
            }
            try {
                Constructor<?> constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                return constructor;
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }

        private static Constructor<?> canonicalConstructor(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] parameters = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                parameters[i] = components[i].getType();
            }
            try {
                Constructor<?> constructor = type.getDeclaredConstructor(parameters);
                constructor.setAccessible(true);
                return constructor;
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }
    }

    private static Bean bean(Class<?> type) {
        return BEANS.computeIfAbsent(type, Bean::new);
    }

    private static String getterName(Method method) {
        int modifiers = method.getModifiers();
        if (Modifier.isStatic(modifiers) || method.getParameterCount() != 0 || method.isBridge()
                || method.getReturnType() == void.class || method.getDeclaringClass() == Object.class) {
            return null;
        }
        String name = method.getName();
        if (name.startsWith("get") && name.length() > 3) {
            return beanName(name.substring(3));
        }
        if (name.startsWith("is") && name.length() > 2 && method.getReturnType() == boolean.class) {
            return beanName(name.substring(2));
        }
        return null;
    }

    private static String setterName(Method method) {
        String name = method.getName();
        if (Modifier.isStatic(method.getModifiers()) || method.getParameterCount() != 1 || method.isBridge()
                || !name.startsWith("set") || name.length() <= 3) {
            return null;
        }
        return beanName(name.substring(3));
    }

    /** The JavaBeans rule (Jackson's USE_STD_BEAN_NAMING): {@code Name} is {@code name}, {@code URL} stays. */
    private static String beanName(String suffix) {
        if (suffix.length() > 1 && Character.isUpperCase(suffix.charAt(0))
                && Character.isUpperCase(suffix.charAt(1))) {
            return suffix;
        }
        return Character.toLowerCase(suffix.charAt(0)) + suffix.substring(1);
    }

    // ---- writing ----------------------------------------------------------------------

    /** {@code value} as JSON text. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(value, out, new IdentityHashMap<>(), 0);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, IdentityHashMap<Object, Boolean> path, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BindingError("Document nesting depth exceeds the maximum allowed (" + MAX_DEPTH + ")");
        }
        if (value == null) {
            out.append("null");
        } else if (value instanceof String || value instanceof Character || value instanceof CharSequence) {
            Json.writeString(out, value.toString());
        } else if (value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            if (Double.isNaN(number) || Double.isInfinite(number)) {
                // WRITE_NAN_AS_STRINGS, as Jackson's default.
                Json.writeString(out, value.toString());
            } else {
                out.append(value);
            }
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Enum) {
            Json.writeString(out, ((Enum<?>) value).name());
        } else if (value instanceof Date) {
            out.append(((Date) value).getTime());
        } else if (value instanceof Calendar) {
            out.append(((Calendar) value).getTimeInMillis());
        } else if (value instanceof byte[]) {
            Json.writeString(out, Base64.getEncoder().encodeToString((byte[]) value));
        } else if (value instanceof char[]) {
            Json.writeString(out, new String((char[]) value));
        } else {
            writeContainer(value, out, path, depth);
        }
    }

    private static void writeContainer(Object value, StringBuilder out, IdentityHashMap<Object, Boolean> path,
            int depth) {
        if (path.put(value, Boolean.TRUE) != null) {
            throw new BindingError("Direct self-reference leading to cycle (through reference chain: "
                    + value.getClass().getName() + ")");
        }
        try {
            if (value instanceof Map) {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    Object key = entry.getKey();
                    Json.writeString(out, key instanceof Enum ? ((Enum<?>) key).name() : String.valueOf(key));
                    out.append(':');
                    write(entry.getValue(), out, path, depth + 1);
                }
                out.append('}');
            } else if (value instanceof Iterable) {
                out.append('[');
                boolean first = true;
                for (Object item : (Iterable<?>) value) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    write(item, out, path, depth + 1);
                }
                out.append(']');
            } else if (value.getClass().isArray()) {
                out.append('[');
                int length = Array.getLength(value);
                for (int i = 0; i < length; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(Array.get(value, i), out, path, depth + 1);
                }
                out.append(']');
            } else {
                writeBean(value, out, path, depth);
            }
        } finally {
            path.remove(value);
        }
    }

    private static void writeBean(Object value, StringBuilder out, IdentityHashMap<Object, Boolean> path,
            int depth) {
        refuseUnsupported(value.getClass());
        Bean bean = bean(value.getClass());
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Property> entry : bean.readable.entrySet()) {
            Object property;
            try {
                property = entry.getValue().get(value);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new BindingError("Problem serializing property '" + entry.getKey() + "' (of `"
                        + value.getClass().getName() + "`): " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new BindingError("Problem serializing property '" + entry.getKey() + "': " + e, e);
            }
            if (property == null) {
                continue; // Include.NON_NULL, as Lambda's serializer is configured.
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            Json.writeString(out, entry.getKey());
            out.append(':');
            write(property, out, path, depth + 1);
        }
        out.append('}');
    }
}
