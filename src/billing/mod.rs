//! What invocations cost at AWS Lambda's prices: the price list, the cost of one
//! invocation, a meter that totals a session, and a monthly projection.

mod cost_meter;
mod price_list;
mod projection;

pub use cost_meter::{CostMeter, FunctionUsage};
pub use price_list::{InvocationCost, PriceList, PriceTier};
pub use projection::{DAYS_PER_MONTH, MonthlyCost, MonthlyUsage};

/// Dollars with enough digits to show what one invocation costs (`$0.0000002021`), and
/// cents for anything from a cent up (`$0.41`, `$2.73`), as a bill shows them.
pub fn format_usd(amount_usd: f64) -> String {
    if amount_usd == 0.0 || amount_usd.abs() >= 0.01 {
        format!("${amount_usd:.2}")
    } else {
        format!("${amount_usd:.10}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_amounts_keep_their_digits() {
        assert_eq!(format_usd(0.000_000_202_083_34), "$0.0000002021");
        assert_eq!(format_usd(2.733_338), "$2.73");
        assert_eq!(format_usd(0.408_333_333_3), "$0.41");
        assert_eq!(format_usd(0.0), "$0.00");
    }
}
