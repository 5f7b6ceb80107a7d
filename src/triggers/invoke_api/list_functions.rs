//! `GET /2015-03-31/functions/` (`ListFunctions`), a page at a time as Lambda pages it.

use base64::Engine as _;

use super::api_response::ApiResponse;
use super::function_shape::configuration;
use super::server::{ApiState, query_value};
use crate::model::Function;
use crate::triggers::context::load_functions;

/// `ListFunctions`: the functions whose configuration loads, by name, a page at a time
/// (`MaxItems`, default and at most Lambda's 50; `Marker` is the `NextMarker` of the page
/// before), so the SDKs' paginators walk them as they walk Lambda's.
pub(super) fn list_functions(state: &ApiState, query: Option<&str>) -> ApiResponse {
    let page_size = match query_value(query, "MaxItems").map(|given| given.parse::<usize>()) {
        None => LIST_PAGE_MAX_ITEMS,
        Some(Ok(size)) if (1..=LIST_MAX_ITEMS_LIMIT).contains(&size) => {
            size.min(LIST_PAGE_MAX_ITEMS)
        }
        Some(_) => {
            return ApiResponse::invalid_parameter(&format!(
                "MaxItems must be a whole number from 1 to {LIST_MAX_ITEMS_LIMIT}"
            ));
        }
    };
    let (mut functions, _) = load_functions(&state.context.workspace);
    functions.sort_by(|left, right| left.name.cmp(&right.name));
    let start = match query_value(query, "Marker") {
        None => 0,
        Some(marker) => match page_start(&functions, &marker) {
            Some(start) => start,
            None => {
                return ApiResponse::invalid_parameter(&format!(
                    "Marker `{marker}` is not a NextMarker this API returned"
                ));
            }
        },
    };
    let page = functions.iter().skip(start).take(page_size);
    let shapes: Vec<serde_json::Value> = page
        .map(|function| configuration(&state.region, function))
        .collect();
    let mut answer = serde_json::json!({ "Functions": shapes });
    let next = start + page_size;
    if let (Some(function), serde_json::Value::Object(fields)) = (functions.get(next), &mut answer)
    {
        fields.insert(
            "NextMarker".to_owned(),
            serde_json::Value::from(list_marker(&function.name)),
        );
    }
    ApiResponse::json(200, &answer)
}

/// Lambda's page size for ListFunctions, whatever larger `MaxItems` is asked.
const LIST_PAGE_MAX_ITEMS: usize = 50;
/// The largest `MaxItems` Lambda accepts.
const LIST_MAX_ITEMS_LIMIT: usize = 10_000;

/// A page's `NextMarker`: the first function of the next page, opaque to clients as
/// Lambda's are (a name that was removed meanwhile still resumes at the right place).
fn list_marker(next_function: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(next_function)
}

/// Where the page a marker names starts in the functions sorted by name.
fn page_start(sorted: &[Function], marker: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(marker)
        .ok()?;
    let name = String::from_utf8(bytes).ok()?;
    Some(sorted.partition_point(|function| function.name < name))
}
