// The HTTP benchmark's JS hello: the same handler serverless-offline serves.
export const handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: `Hello, ${event.pathParameters.name}!` }),
});
