//! Times for people: a call's start as an RFC 3339 date-time in UTC and its duration in the
//! largest unit that keeps it readable. Integer arithmetic only, so every host prints the same.

/// `2026-01-01T10:00:00.250Z`: milliseconds when the microseconds are whole milliseconds, else
/// microseconds.
pub fn format_us(us: i64) -> String {
    let seconds = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let fraction = if micros % 1000 == 0 { format!("{:03}", micros / 1000) } else { format!("{micros:06}") };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// `250 µs`, `812 ms`, `1.5 s`, `2 min 5.25 s`, `3 min`: at most three decimals, trailing zeros
/// dropped.
pub fn format_duration_us(us: i64) -> String {
    let us = us.max(0);
    if us < 1000 {
        return format!("{us} µs");
    }
    if us < 1_000_000 {
        return format!("{} ms", decimal(us, 1000));
    }
    if us < 60_000_000 {
        return format!("{} s", decimal(us / 1000, 1000));
    }
    let seconds = us % 60_000_000 / 1000;
    if seconds == 0 {
        return format!("{} min", us / 60_000_000);
    }
    format!("{} min {} s", us / 60_000_000, decimal(seconds, 1000))
}

/// `value / unit` with up to three decimals (`unit` is 1000), trailing zeros dropped.
fn decimal(value: i64, unit: i64) -> String {
    let fraction = format!("{:03}", value % unit * 1000 / unit);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{}", value / unit)
    } else {
        format!("{}.{fraction}", value / unit)
    }
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{format_duration_us, format_us};

    #[test]
    fn prints_dates_and_durations() {
        assert_eq!(format_us(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_us(1_693_314_200_500_000), "2023-08-29T13:03:20.500Z");
        assert_eq!(format_us(1_709_208_000_000_001), "2024-02-29T12:00:00.000001Z");
        assert_eq!(format_us(-1), "1969-12-31T23:59:59.999999Z");
        assert_eq!(format_duration_us(250), "250 µs");
        assert_eq!(format_duration_us(812_000), "812 ms");
        assert_eq!(format_duration_us(1_250), "1.25 ms");
        assert_eq!(format_duration_us(1_500_000), "1.5 s");
        assert_eq!(format_duration_us(125_250_000), "2 min 5.25 s");
        assert_eq!(format_duration_us(180_000_999), "3 min");
    }
}
