//! `.xlsx` workbooks for people's own paperwork (server only): numbers stay numbers and dates
//! real Excel dates, so sums and filters work in Excel and WPS; workbooks are written on a
//! blocking thread.

use crate::kit::error::AppError;
use crate::kit::i18n::Locale;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    /// A local date and time (in the reader's time zone).
    DateTime(NaiveDateTime),
}

pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Hours kept in tenths, as a number of hours.
pub fn hours(tenths: i64) -> Cell {
    Cell::Number(tenths as f64 / 10.0)
}

/// One sheet: a header row, then rows of cells.
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Whether the header row carries Excel's filter buttons (a ledger to sort and filter).
    pub filter: bool,
}

fn excel_date(day: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(day.year().clamp(1900, 9999) as u16, day.month() as u8, day.day() as u8)
}

/// The workbook, its sheets in order.
pub async fn workbook(sheets: Vec<Sheet>) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let date_time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        for (i, sheet) in sheets.iter().enumerate() {
            let worksheet = workbook.add_worksheet();
            // Excel allows 31 characters and no []:*?/\ in a sheet name.
            let name: String = sheet.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
            worksheet.set_name(if name.is_empty() { format!("Sheet{}", i + 1) } else { name })?;
            for (col, title) in sheet.header.iter().enumerate() {
                worksheet.write_string_with_format(0, col as u16, title, &bold)?;
            }
            for (r, row) in sheet.rows.iter().enumerate() {
                for (col, cell) in row.iter().enumerate() {
                    let (r, col) = (r as u32 + 1, col as u16);
                    match cell {
                        Cell::Empty => continue,
                        Cell::Text(s) => worksheet.write_string(r, col, s)?,
                        Cell::Number(n) => worksheet.write_number(r, col, *n)?,
                        Cell::Date(day) => worksheet.write_datetime_with_format(r, col, excel_date(*day)?, &date)?,
                        Cell::DateTime(at) => {
                            let at_time = excel_date(at.date())?.and_hms(at.hour() as u16, at.minute() as u8, 0)?;
                            worksheet.write_datetime_with_format(r, col, at_time, &date_time)?
                        }
                    };
                }
            }
            if sheet.filter && !sheet.header.is_empty() {
                worksheet.autofilter(0, 0, sheet.rows.len() as u32, sheet.header.len() as u16 - 1)?;
            }
            worksheet.set_freeze_panes(1, 0)?;
            worksheet.autofit();
        }
        workbook.save_to_buffer()
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

/// The workbook as a download named `file_name`, or the error as plain text in `locale`.
pub fn download(built: Result<(String, Vec<u8>), AppError>, locale: Locale) -> Response {
    match built {
        Ok((file_name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.message(locale)).into_response()
        }
    }
}
