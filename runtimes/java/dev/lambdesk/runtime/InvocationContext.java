package dev.lambdesk.runtime;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.Map;

/** The {@code Context} of one invocation, from the Runtime API's headers and Lambda's variables. */
final class InvocationContext implements Context {
    private final String requestId;
    private final long deadlineMs;
    private final String invokedFunctionArn;
    private final String xrayTraceId;
    private final String tenantId;
    private final CognitoIdentity identity;
    private final ClientContext clientContext;
    private final Environment environment;

    /** What stays the same for every invocation of the environment. */
    static final class Environment {
        final String functionName = System.getenv("AWS_LAMBDA_FUNCTION_NAME");
        final String functionVersion = System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
        final String logGroupName = System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
        final String logStreamName = System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
        final int memoryLimitMb = parseOr(System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), 128);
        final LambdaLogger logger;

        Environment(LambdaLogger logger) {
            this.logger = logger;
        }

        private static int parseOr(String text, int otherwise) {
            try {
                return text == null ? otherwise : Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
                return otherwise;
            }
        }
    }

    InvocationContext(RuntimeApi.Answer next, Environment environment) {
        this.environment = environment;
        this.requestId = next.header("Lambda-Runtime-Aws-Request-Id");
        long deadline;
        try {
            deadline = Long.parseLong(next.header("Lambda-Runtime-Deadline-Ms"));
        } catch (NumberFormatException e) {
            deadline = System.currentTimeMillis();
        }
        this.deadlineMs = deadline;
        this.invokedFunctionArn = next.header("Lambda-Runtime-Invoked-Function-Arn");
        this.xrayTraceId = next.header("Lambda-Runtime-Trace-Id");
        this.tenantId = next.header("Lambda-Runtime-Aws-Tenant-Id");
        this.identity = cognitoIdentity(next.header("Lambda-Runtime-Cognito-Identity"));
        this.clientContext = clientContext(next.header("Lambda-Runtime-Client-Context"));
    }

    private static Map<?, ?> object(String json) {
        if (json == null || json.isEmpty()) {
            return null;
        }
        try {
            Object tree = Json.parse(json);
            return tree instanceof Map ? (Map<?, ?>) tree : null;
        } catch (Json.SyntaxError e) {
            return null;
        }
    }

    private static String text(Map<?, ?> map, String key) {
        Object value = map == null ? null : map.get(key);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(Map<?, ?> map, String key) {
        Object value = map == null ? null : map.get(key);
        if (!(value instanceof Map)) {
            return null;
        }
        Map<String, String> strings = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : ((Map<String, Object>) value).entrySet()) {
            strings.put(entry.getKey(), entry.getValue() == null ? null : entry.getValue().toString());
        }
        return strings;
    }

    private static CognitoIdentity cognitoIdentity(String json) {
        Map<?, ?> fields = object(json);
        if (fields == null) {
            return null;
        }
        String id = text(fields, "cognitoIdentityId");
        String pool = text(fields, "cognitoIdentityPoolId");
        return new CognitoIdentity() {
            @Override
            public String getIdentityId() {
                return id;
            }

            @Override
            public String getIdentityPoolId() {
                return pool;
            }
        };
    }

    /** The Mobile SDK's context: {@code {"client": {"installation_id", …}, "custom": {…}, "env": {…}}}. */
    private static ClientContext clientContext(String json) {
        Map<?, ?> fields = object(json);
        if (fields == null) {
            return null;
        }
        Object clientFields = fields.get("client");
        Map<?, ?> client = clientFields instanceof Map ? (Map<?, ?>) clientFields : null;
        Client clientInfo = client == null ? null : new Client() {
            @Override
            public String getInstallationId() {
                return text(client, "installation_id");
            }

            @Override
            public String getAppTitle() {
                return text(client, "app_title");
            }

            @Override
            public String getAppVersionName() {
                return text(client, "app_version_name");
            }

            @Override
            public String getAppVersionCode() {
                return text(client, "app_version_code");
            }

            @Override
            public String getAppPackageName() {
                return text(client, "app_package_name");
            }
        };
        Map<String, String> custom = strings(fields, "custom");
        Map<String, String> env = strings(fields, "env");
        return new ClientContext() {
            @Override
            public Client getClient() {
                return clientInfo;
            }

            @Override
            public Map<String, String> getCustom() {
                return custom;
            }

            @Override
            public Map<String, String> getEnvironment() {
                return env;
            }
        };
    }

    String requestId() {
        return requestId;
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return environment.logGroupName;
    }

    @Override
    public String getLogStreamName() {
        return environment.logStreamName;
    }

    @Override
    public String getFunctionName() {
        return environment.functionName;
    }

    @Override
    public String getFunctionVersion() {
        return environment.functionVersion;
    }

    @Override
    public String getInvokedFunctionArn() {
        return invokedFunctionArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return identity;
    }

    @Override
    public ClientContext getClientContext() {
        return clientContext;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long remaining = deadlineMs - System.currentTimeMillis();
        return remaining > 0 ? (int) Math.min(remaining, Integer.MAX_VALUE) : 0;
    }

    @Override
    public int getMemoryLimitInMB() {
        return environment.memoryLimitMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return environment.logger;
    }

    @Override
    public String getTenantId() {
        return tenantId;
    }

    @Override
    public String getXrayTraceId() {
        return xrayTraceId;
    }
}
