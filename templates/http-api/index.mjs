// HTTP API handler: API Gateway HTTP API (payload format 2.0) in, a JSON response out.
const items = new Map([["1", { id: "1", name: "coffee" }]]);

const json = (statusCode, body) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export const handler = async (event) => {
  const method = event.requestContext?.http?.method ?? "GET";
  const path = event.rawPath ?? "/";
  console.log(`${method} ${path}`);
  const match = path.match(/^\/items\/([^/]+)$/);
  if (method === "GET" && path === "/items") return json(200, [...items.values()]);
  if (method === "GET" && match) {
    const item = items.get(match[1]);
    return item ? json(200, item) : json(404, { message: `no item ${match[1]}` });
  }
  if (method === "POST" && path === "/items") {
    const body = event.isBase64Encoded ? atob(event.body ?? "") : event.body ?? "{}";
    const item = { id: String(items.size + 1), ...JSON.parse(body) };
    items.set(item.id, item);
    return json(201, item);
  }
  return json(404, { message: `no route for ${method} ${path}` });
};
