//! The zip container of the workbooks and of the departments' bundle: entries deflated (xlsx
//! parts) or stored (xlsx files, compressed already), the fixed date 1980-01-01 so the same
//! entries give the same bytes, names flagged as UTF-8 where they are not ASCII.

/// How an entry's bytes are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// As they are.
    Stored,
    /// Deflated (level 6).
    Deflated,
}

/// The entries as one zip. Fails only past the plain zip format's limits (4 GiB, 65,535
/// entries, names of 64 KiB), saying which.
pub(crate) fn pack(entries: &[(String, Vec<u8>)], method: Method) -> Result<Vec<u8>, String> {
    let u32_of = |n: usize| u32::try_from(n).map_err(|_| "zip: over 4 GiB".to_string());
    let u16_of = |n: usize, what: &str| u16::try_from(n).map_err(|_| format!("zip: {what}"));
    // 1980-01-01 00:00, the zip format's first day.
    const TIME: u16 = 0;
    const DATE: u16 = (1 << 5) | 1;
    const UTF8: u16 = 1 << 11;
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    for (name, data) in entries {
        let packed = match method {
            Method::Stored => None,
            Method::Deflated => Some(deflate(data)?),
        };
        let body = packed.as_deref().unwrap_or(data);
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = u32_of(out.len())?;
        let flags = if name.is_ascii() { 0 } else { UTF8 };
        let code: u16 = if packed.is_some() { 8 } else { 0 };
        // The fields the local header and the central directory share.
        let mut common = Vec::with_capacity(26);
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0
        common.extend_from_slice(&flags.to_le_bytes());
        common.extend_from_slice(&code.to_le_bytes());
        common.extend_from_slice(&TIME.to_le_bytes());
        common.extend_from_slice(&DATE.to_le_bytes());
        common.extend_from_slice(&crc.sum().to_le_bytes());
        common.extend_from_slice(&u32_of(body.len())?.to_le_bytes());
        common.extend_from_slice(&u32_of(data.len())?.to_le_bytes());
        common.extend_from_slice(&u16_of(name.len(), "long name")?.to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra field length

        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let count = u16_of(entries.len(), "more than 65,535 entries")?;
    let cd_offset = u32_of(out.len())?;
    let cd_size = u32_of(central.len())?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    Ok(out)
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut z = flate2::Compress::new(flate2::Compression::new(6), false);
    let mut packed: Vec<u8> = Vec::with_capacity(data.len() / 4 + 64);
    loop {
        if packed.capacity() - packed.len() < 1024 {
            packed.reserve(data.len() / 4 + 1024);
        }
        let read = z.total_in() as usize;
        let status = z
            .compress_vec(
                data.get(read..).unwrap_or_default(),
                &mut packed,
                flate2::FlushCompress::Finish,
            )
            .map_err(|e| format!("zip: {e}"))?;
        if status == flate2::Status::StreamEnd {
            return Ok(packed);
        }
    }
}
