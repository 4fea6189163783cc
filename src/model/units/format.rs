//! Numbers as nines prints them: percentages, nines, probabilities, shares of time.

/// A percentage with enough digits to show the nines: 99.95%, 99.9999%.
pub fn format_percent(availability: f64, unavailability: f64) -> String {
    if unavailability <= 0.0 {
        return "100%".to_string();
    }
    if availability <= 0.0 {
        return "0%".to_string();
    }
    let nines = -unavailability.log10();
    let decimals = ((nines - 2.0).floor() as i64 + 2).clamp(1, 14) as usize;
    let text = format!("{:.*}", decimals, availability * 100.0);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}%")
}

/// JSON has no infinity: a component that never fails has `nines: null`. A component that is
/// always down has 0 nines, not the −0 that −log10(1) gives.
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x + 0.0)
}

/// A number of nines, two decimals: `3.30`, or `∞` for a component that never goes down.
pub fn format_nines(nines: f64) -> String {
    if nines.is_infinite() {
        "∞".into()
    } else {
        // + 0.0 turns −0 (always down) into 0.
        format!("{:.2}", nines + 0.0)
    }
}

/// A probability in scientific notation when small: `8.8e-4`.
pub fn format_probability(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p >= 1e-3 {
        format!("{p:.4}")
    } else {
        format!("{p:.3e}")
    }
}

/// A share of time as a percentage with two significant digits: `0.040%`, `1.2%`, `99.74%`;
/// never `100%` for less than all of the time.
pub fn format_share(x: f64) -> String {
    if x <= 0.0 {
        return "0%".into();
    }
    let percent = x * 100.0;
    let mut decimals = (1 - percent.log10().floor() as i64).clamp(0, 12) as usize;
    let mut text = format!("{percent:.decimals$}");
    // Rounding up to the next power of ten (0.09999 → 0.100) needs one digit fewer.
    if decimals > 0
        && text
            .parse::<f64>()
            .is_ok_and(|r| r.log10().floor() > percent.log10().floor())
    {
        decimals -= 1;
        text = format!("{percent:.decimals$}");
    }
    while x < 1.0 && text.parse::<f64>().is_ok_and(|r| r >= 100.0) && decimals < 12 {
        decimals += 1;
        text = format!("{percent:.decimals$}");
    }
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_display() {
        assert_eq!(format_percent(0.9995, 0.0005), "99.95%");
        assert_eq!(format_percent(0.999, 0.001), "99.9%");
        assert_eq!(format_percent(1.0 - 1e-6, 1e-6), "99.9999%");
    }
}
