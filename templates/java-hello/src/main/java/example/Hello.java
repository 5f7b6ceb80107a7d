package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** Greets by name. The event's JSON is read into a Request; the Response goes back as JSON. */
public class Hello implements RequestHandler<Hello.Request, Hello.Response> {
    // Fields live as long as the execution environment: warm invocations share them.
    private int count;

    public static class Request {
        private String name;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }
    }

    public static class Response {
        private final String message;
        private final int count;

        public Response(String message, int count) {
            this.message = message;
            this.count = count;
        }

        public String getMessage() {
            return message;
        }

        public int getCount() {
            return count;
        }
    }

    @Override
    public Response handleRequest(Request request, Context context) {
        String name = request == null || request.getName() == null || request.getName().isEmpty()
                ? "world" : request.getName();
        count++;
        context.getLogger().log("greeting " + name + " (request " + context.getAwsRequestId() + ")");
        return new Response("Hello, " + name + "!", count);
    }
}
