//! Seconds since 1970 as a UTC calendar date and time, without a time-zone database: what share
//! links print for their expiry and what a video's QuickTime or Matroska header says it was made.

/// A moment in UTC, by its calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    /// The year.
    pub year: i64,
    /// 1 to 12.
    pub month: i64,
    /// 1 to 31.
    pub day: i64,
    /// 0 to 23.
    pub hour: u64,
    /// 0 to 59.
    pub minute: u64,
    /// 0 to 59.
    pub second: u64,
}

impl UtcTime {
    /// The moment `epoch` seconds after 1970-01-01 00:00 UTC.
    pub fn from_epoch(epoch: u64) -> Self {
        // Days to civil date (H. Hinnant's algorithm).
        let days = i64::try_from(epoch / 86_400).unwrap_or(i64::MAX / 2);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let secs = epoch % 86_400;
        Self { year, month, day, hour: secs / 3600, minute: secs / 60 % 60, second: secs % 60 }
    }

    /// `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_right_across_leap_years() {
        let at = |epoch| {
            let t = UtcTime::from_epoch(epoch);
            (t.date(), t.hour, t.minute, t.second)
        };
        assert_eq!(at(0), ("1970-01-01".into(), 0, 0, 0));
        assert_eq!(at(951_782_400), ("2000-02-29".into(), 0, 0, 0));
        assert_eq!(at(1_714_564_800), ("2024-05-01".into(), 12, 0, 0));
        assert_eq!(at(1_798_761_599), ("2026-12-31".into(), 23, 59, 59));
    }
}
