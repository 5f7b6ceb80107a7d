export const handler = async (event, context) => {
  // Your code here.
  return event;
};
