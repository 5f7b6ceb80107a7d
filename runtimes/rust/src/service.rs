use std::future::Future;

/// What `run` calls for each event: `tower::Service`'s shape, as `lambda_runtime` takes
/// it, without readiness (one invocation at a time per execution environment).
pub trait Service<Request> {
    type Response;
    type Error;
    type Future: Future<Output = Result<Self::Response, Self::Error>>;

    fn call(&mut self, request: Request) -> Self::Future;
}

/// A [`Service`] made of an `async fn` (see [`service_fn`]).
#[derive(Debug, Clone, Copy)]
pub struct ServiceFn<F> {
    handler: F,
}

/// Makes a service of an `async fn(LambdaEvent<T>) -> Result<R, E>`, as
/// `lambda_runtime::service_fn`.
pub fn service_fn<F>(handler: F) -> ServiceFn<F> {
    ServiceFn { handler }
}

impl<F, Request, Fut, R, E> Service<Request> for ServiceFn<F>
where
    F: FnMut(Request) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    type Response = R;
    type Error = E;
    type Future = Fut;

    fn call(&mut self, request: Request) -> Fut {
        (self.handler)(request)
    }
}
