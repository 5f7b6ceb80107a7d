package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** API Gateway HTTP API (payload format 2.0) in, an API Gateway response out. */
public class Api implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final Map<String, String> items = new LinkedHashMap<>(Map.of("1", "coffee"));

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        Map<String, Object> requestContext = (Map<String, Object>) event.getOrDefault("requestContext", Map.of());
        Map<String, Object> http = (Map<String, Object>) requestContext.getOrDefault("http", Map.of());
        String method = String.valueOf(http.getOrDefault("method", "GET"));
        String path = String.valueOf(event.getOrDefault("rawPath", "/"));
        System.out.println(method + " " + path);
        if (method.equals("GET") && path.equals("/java/items")) {
            StringBuilder list = new StringBuilder("[");
            items.forEach((id, name) -> list.append(list.length() > 1 ? "," : "").append(item(id, name)));
            return respond(200, list.append(']').toString());
        }
        if (method.equals("GET") && path.startsWith("/java/items/")) {
            String id = path.substring("/java/items/".length());
            String name = items.get(id);
            return name == null
                    ? respond(404, "{\"message\":\"no item " + id + "\"}")
                    : respond(200, item(id, name));
        }
        return respond(404, "{\"message\":\"no route for " + method + " " + path + "\"}");
    }

    private static String item(String id, String name) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\"}";
    }

    private static Map<String, Object> respond(int statusCode, String body) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("statusCode", statusCode);
        response.put("headers", Map.of("content-type", "application/json"));
        response.put("body", body);
        return response;
    }
}
