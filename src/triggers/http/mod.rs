//! The HTTP gateway: API Gateway's HTTP API on 127.0.0.1 for every `http` trigger.

mod gateway;
mod listener;
mod request_event;
pub(crate) mod request_limits;
mod response_mapping;
mod rest_and_alb_events;
mod route;
mod streamed_response;

pub use gateway::{
    DEFAULT_INTEGRATION_TIMEOUT, GatewayOptions, HttpGateway, routes_of, workspace_routes,
};
pub(crate) use listener::LocalServer;
pub use request_event::{GatewayIdentity, IncomingRequest, request_event};
pub use request_limits::{DEFAULT_CLIENT_READ_TIMEOUT, MAX_BODY_BYTES, MAX_REQUEST_HEAD_BYTES};
pub use response_mapping::{
    GatewayResponse, map_alb_response, map_function_response, map_response, map_rest_response,
};
pub use rest_and_alb_events::{alb_request_event, rest_request_event};
pub use route::{DEFAULT_ROUTE, HttpRoute, RouteMatch, RouteTable};
