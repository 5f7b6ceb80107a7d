// hello: a first JavaScript function, written as for AWS Lambda's Node.js runtime.
// Run it with `lambdesk invoke hello --event functions/hello/events/ada.json`.

// Module scope runs once per execution environment (Init) and is kept between warm
// invocations, as on Lambda.
let invocations = 0;

export const handler = async (event, context) => {
  invocations += 1;
  const name = event.name ?? "world";
  console.log(`saying hello to ${name}`, { requestId: context.awsRequestId });
  return {
    statusCode: 200,
    body: JSON.stringify({ message: `Hello, ${name}!`, invocations }),
  };
};
