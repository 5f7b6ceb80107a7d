package dev.lambdesk.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds the handler {@code _HANDLER} names and wraps it as one {@link Handler}, as Lambda's
 * Java runtime does: {@code package.Class} implements {@code RequestHandler<I, O>} (the event
 * read as {@code I}) or {@code RequestStreamHandler}; {@code package.Class::method} is a
 * public method taking {@code (I)}, {@code (I, Context)}, {@code (InputStream, OutputStream,
 * Context)} or another of Lambda's signatures, longer ones (a trailing {@code Context}
 * counting one more) preferred among overloads. The class is instantiated once per execution
 * environment (during Init) through its public no-argument constructor.
 *
 * <p>A handler that cannot be found answers each invocation with Lambda's error (a missing
 * class: {@code Class not found: …}); one whose class or constructor throws fails Init.
 */
final class HandlerLoader {
    private static final byte[] JSON_NULL = {'n', 'u', 'l', 'l'};

    private HandlerLoader() {}

    /** One invocation: the event's bytes in, the response's out. */
    interface Handler {
        byte[] call(byte[] event, Context context) throws Throwable;
    }

    /** A handler that fails every invocation with {@code fault}. */
    static Handler failing(UserFault fault) {
        return (event, context) -> {
            throw fault;
        };
    }

    /** Loads the handler; throws a fatal {@link UserFault} when Init must fail. */
    static Handler load(String handler, ClassLoader loader) {
        int colon = handler.lastIndexOf("::");
        String className = colon < 0 ? handler : handler.substring(0, colon);
        String methodName = colon < 0 ? null : handler.substring(colon + 2);
        if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
            return failing(UserFault.of("Invalid handler: `" + handler + "'"));
        }
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            return failing(new UserFault("Class not found: " + className, e.getClass().getName(),
                    UserFault.trace(e), false));
        } catch (NoClassDefFoundError e) {
            return failing(initError(e, className));
        } catch (Throwable t) {
            // The class's static initialiser threw: Init fails.
            throw initError(t, className);
        }
        Handler loaded = methodName == null ? loadClassHandler(type) : loadMethodHandler(type, methodName);
        return loaded;
    }

    private static UserFault initError(Throwable t, String className) {
        return new UserFault("Error loading class " + className + (t.getMessage() == null ? "" : ": " + t.getMessage()),
                t.getClass().getName(), UserFault.trace(t), true);
    }

    // ---- instances --------------------------------------------------------------------

    private static Object newInstance(Class<?> type) {
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            if (type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers())) {
                throw UserFault.of(new Exception("Class " + type.getName()
                        + " cannot be instantiated because it is a non-static inner class"), false);
            }
            throw UserFault.of(new Exception("Class " + type.getName() + " has no public zero-argument constructor",
                    e), false);
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            // The constructor threw: Init fails.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw UserFault.of(UserFault.filterStackTrace(cause), true);
        } catch (ReflectiveOperationException e) {
            throw UserFault.of(e, false);
        }
    }

    /** Runs {@code make}; a non-fatal fault becomes a handler failing each invocation. */
    private static Handler orFailing(java.util.function.Supplier<Handler> make) {
        try {
            return make.get();
        } catch (UserFault fault) {
            if (fault.fatal) {
                throw fault;
            }
            return failing(fault);
        }
    }

    // ---- RequestHandler and RequestStreamHandler -----------------------------------------

    private static Handler loadClassHandler(Class<?> type) {
        if (RequestStreamHandler.class.isAssignableFrom(type)) {
            return orFailing(() -> streamHandler((RequestStreamHandler) newInstance(type)));
        }
        if (RequestHandler.class.isAssignableFrom(type)) {
            return orFailing(() -> requestHandler(type));
        }
        return failing(UserFault.of("Class does not implement an appropriate handler interface: " + type.getName()));
    }

    private static Handler streamHandler(RequestStreamHandler handler) {
        return (event, context) -> {
            ByteArrayOutputStream output = new ByteArrayOutputStream(1024);
            handler.handleRequest(new ByteArrayInputStream(event), output, context);
            return output.toByteArray();
        };
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Handler requestHandler(Class<?> type) {
        Type[] parameters = interfaceParameters(type, RequestHandler.class, Map.of());
        if (parameters == null) {
            throw UserFault.of("Class " + type.getName() + " does not implement RequestHandler with concrete type parameters");
        }
        for (Type parameter : parameters) {
            if (parameter instanceof TypeVariable) {
                Type[] bounds = ((TypeVariable<?>) parameter).getBounds();
                boolean bounded = false;
                for (Type bound : bounds) {
                    bounded |= !Object.class.equals(bound);
                }
                if (!bounded) {
                    throw UserFault.of("Class " + type.getName()
                            + " does not implement RequestHandler with concrete type parameters: parameter "
                            + parameter + " has no upper bound.");
                }
            }
        }
        RequestHandler instance = (RequestHandler) newInstance(type);
        return pojo((input, context) -> instance.handleRequest(input, context), parameters[0], parameters[1]);
    }

    /**
     * The arguments {@code type} gives {@code target} (searched through its interfaces and
     * superclasses, type variables followed), or null.
     */
    private static Type[] interfaceParameters(Type type, Class<?> target, Map<TypeVariable<?>, Type> outer) {
        Class<?> raw = JsonBinding.rawClass(type);
        Map<TypeVariable<?>, Type> bindings = JsonBinding.bindingsOf(type, outer);
        if (raw == target) {
            if (!(type instanceof ParameterizedType)) {
                return null;
            }
            Type[] arguments = ((ParameterizedType) type).getActualTypeArguments();
            Type[] resolved = new Type[arguments.length];
            for (int i = 0; i < arguments.length; i++) {
                resolved[i] = arguments[i] instanceof TypeVariable && !outer.containsKey(arguments[i])
                        ? arguments[i] : JsonBinding.resolve(arguments[i], outer);
            }
            return resolved;
        }
        List<Type> supertypes = new ArrayList<>(List.of(raw.getGenericInterfaces()));
        if (raw.getGenericSuperclass() != null) {
            supertypes.add(raw.getGenericSuperclass());
        }
        for (Type supertype : supertypes) {
            if (target.isAssignableFrom(JsonBinding.rawClass(supertype))) {
                Type[] found = interfaceParameters(supertype, target, bindings);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A handler of Java values, its event read as {@code inputType} and its result written as JSON. */
    private interface PojoCall {
        Object call(Object input, Context context) throws Throwable;
    }

    private static boolean isVoid(Type type) {
        return type == void.class || type == Void.class;
    }

    private static Handler pojo(PojoCall call, Type inputType, Type outputType) {
        return (event, context) -> {
            Object input;
            try {
                input = inputType == null ? null : JsonBinding.read(Json.parse(event), inputType);
            } catch (Throwable t) {
                throw new RuntimeException("An error occurred during JSON parsing", UserFault.filterStackTrace(t));
            }
            Object output = call.call(input, context);
            if (outputType == null || isVoid(outputType)) {
                return JSON_NULL;
            }
            try {
                return JsonBinding.write(output).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (Throwable t) {
                throw new RuntimeException("An error occurred during JSON serialization of response", t);
            }
        };
    }

    // ---- Class::method ----------------------------------------------------------------

    private static boolean isContext(Type type) {
        return Context.class.equals(type);
    }

    /** Lambda's order among overloads: not a bridge first, then the longest (a trailing Context counts twice). */
    private static final Comparator<Method> PRIORITY = Comparator
            .comparing((Method m) -> m.isBridge())
            .thenComparing(m -> -(m.getParameterCount()
                    + (m.getParameterCount() > 0 && isContext(m.getParameterTypes()[m.getParameterCount() - 1]) ? 1 : 0)));

    private static Handler loadMethodHandler(Class<?> type, String methodName) {
        Method[] methods;
        try {
            methods = type.getMethods();
        } catch (NoClassDefFoundError e) {
            return failing(new UserFault("Error loading method " + methodName + " on class " + type.getName(),
                    e.getClass().getName(), UserFault.trace(e), false));
        }
        List<Method> named = new ArrayList<>();
        for (Method method : methods) {
            if (method.getName().equals(methodName)) {
                named.add(method);
            }
        }
        named.sort(PRIORITY);
        for (Method method : named) {
            Handler handler = overload(type, method);
            if (handler != null) {
                return handler;
            }
        }
        return failing(UserFault.of("No public method named " + methodName
                + " with appropriate method signature found on class " + type.getName()));
    }

    /** The handler of one overload, or null when its parameters are none of Lambda's signatures. */
    private static Handler overload(Class<?> type, Method method) {
        Type[] p = method.getGenericParameterTypes();
        Type result = method.getGenericReturnType();
        switch (p.length) {
            case 0:
                return pojoMethod(type, method, null, result, false);
            case 1:
                if (InputStream.class.equals(p[0])) {
                    return streamMethod(type, method, true, false, false);
                }
                if (OutputStream.class.equals(p[0])) {
                    return streamMethod(type, method, false, true, false);
                }
                if (isContext(p[0])) {
                    return pojoMethod(type, method, null, result, true);
                }
                return pojoMethod(type, method, p[0], result, false);
            case 2:
                if (OutputStream.class.equals(p[0])) {
                    return isContext(p[1]) ? streamMethod(type, method, false, true, true) : null;
                }
                if (isContext(p[0])) {
                    return null;
                }
                if (InputStream.class.equals(p[0])) {
                    if (OutputStream.class.equals(p[1])) {
                        return streamMethod(type, method, true, true, false);
                    }
                    return isContext(p[1]) ? streamMethod(type, method, true, false, true) : null;
                }
                return isContext(p[1]) ? pojoMethod(type, method, p[0], result, true) : null;
            case 3:
                return InputStream.class.equals(p[0]) && OutputStream.class.equals(p[1]) && isContext(p[2])
                        ? streamMethod(type, method, true, true, true) : null;
            default:
                return null;
        }
    }

    private static Object instanceFor(Class<?> type, Method method) {
        return Modifier.isStatic(method.getModifiers()) ? null : newInstance(type);
    }

    private static Object invoke(Method method, Object instance, Object[] arguments) throws Throwable {
        try {
            return method.invoke(instance, arguments);
        } catch (InvocationTargetException e) {
            throw UserFault.filterStackTrace(e.getCause() != null ? e.getCause() : e);
        }
    }

    private static Handler pojoMethod(Class<?> type, Method method, Type inputType, Type outputType,
            boolean needsContext) {
        return orFailing(() -> {
            Object instance = instanceFor(type, method);
            method.setAccessible(true);
            return pojo((input, context) -> {
                Object[] arguments = new Object[(inputType != null ? 1 : 0) + (needsContext ? 1 : 0)];
                int at = 0;
                if (inputType != null) {
                    arguments[at++] = input;
                }
                if (needsContext) {
                    arguments[at] = context;
                }
                return invoke(method, instance, arguments);
            }, inputType, outputType);
        });
    }

    private static Handler streamMethod(Class<?> type, Method method, boolean takesInput, boolean takesOutput,
            boolean takesContext) {
        return orFailing(() -> {
            Object instance = instanceFor(type, method);
            method.setAccessible(true);
            return (event, context) -> {
                ByteArrayOutputStream output = new ByteArrayOutputStream(1024);
                List<Object> arguments = new ArrayList<>(3);
                if (takesInput) {
                    arguments.add(new ByteArrayInputStream(event));
                }
                if (takesOutput) {
                    arguments.add(output);
                }
                if (takesContext) {
                    arguments.add(context);
                }
                invoke(method, instance, arguments.toArray());
                return output.toByteArray();
            };
        });
    }
}
