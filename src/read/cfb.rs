//! A small, strict, read-only reader for the Compound File Binary (OLE) container of .xls files.
//!
//! It walks the container the way common readers do — calamine's, which read our .xls files
//! before [`xls`](super::xls) had its own BIFF parser: the same DIFAT algorithm, the same "first
//! entry whose name matches" lookup, the same 4096-byte mini-stream cutoff — so a file other
//! programs open opens here too. The comments below still name calamine where its behaviour set
//! a rule. What this reader adds are the checks: every header count is measured against the
//! file length, every sector id must lie in the file, every chain is bounded by the number of
//! sectors in the file and rejected when it loops, and every vector grows only from bytes
//! actually present. (calamine's own CFB reader allocates from counts the header merely claims,
//! follows sector chains without detecting loops, indexes its FAT unchecked and unwraps 64-bit
//! stream sizes; in wasm an abort or a panic kills the browser tab.)

use std::fmt;

use crate::error::ReadError;

/// The OLE signature every compound file starts with.
pub const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// End of a sector chain.
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Ids from here on are markers, not sectors; calamine ends a DIFAT chain at the first one.
const MAXREGSECT_END: u32 = 0xFFFF_FFFA;
/// Ids from here on are never FAT sectors (DIFSECT, FATSECT, ENDOFCHAIN, FREESECT); calamine
/// reads every DIFAT entry below it as a FAT sector, so this reader does too.
const DIFSECT: u32 = 0xFFFF_FFFC;
/// "No sibling / no child" in the directory tree.
const NOSTREAM: u32 = 0xFFFF_FFFF;
/// Streams shorter than this are stored in the mini stream (fixed by the format; calamine
/// ignores the header field and uses this value, so we do too).
pub const MINI_STREAM_CUTOFF: u64 = 4096;
/// Size of a mini sector (the header's mini sector shift must be 6).
const MINI_SECTOR: usize = 64;
/// Size of a directory entry.
const DIR_ENTRY: usize = 128;
/// Header DIFAT slots.
const HEADER_DIFAT: usize = 109;

/// Why a compound file was refused. The text is technical; it ends up in
/// [`ReadError::Damaged`]'s `detail`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CfbError {
    /// Shorter than one header sector.
    TooShort { len: usize },
    /// A header field that must hold a fixed value does not.
    Header(&'static str),
    /// A header count larger than the file could hold.
    Count {
        field: &'static str,
        count: u64,
        max: u64,
    },
    /// A chain names a sector outside the file (or a FAT entry that does not exist).
    Sector { chain: &'static str, id: u32 },
    /// A chain comes back to a sector it already used.
    Cycle { chain: &'static str },
    /// A directory entry that cannot be used.
    Entry(&'static str),
    /// A stream claims more bytes than the whole file holds.
    StreamSize { name: String, size: u64 },
    /// No directory entry of that name.
    NotFound(String),
}

impl fmt::Display for CfbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CfbError::TooShort { len } => write!(f, "{len} bytes is shorter than an OLE header"),
            CfbError::Header(what) => write!(f, "invalid OLE header: {what}"),
            CfbError::Count { field, count, max } => write!(
                f,
                "OLE header claims {count} {field} sectors, the file holds at most {max}"
            ),
            CfbError::Sector { chain, id } => {
                write!(
                    f,
                    "OLE {chain} chain points to sector {id}, outside the file"
                )
            }
            CfbError::Cycle { chain } => write!(f, "OLE {chain} chain loops"),
            CfbError::Entry(what) => write!(f, "OLE directory: {what}"),
            CfbError::StreamSize { name, size } => write!(
                f,
                "OLE stream {name:?} claims {size} bytes, more than the file holds"
            ),
            CfbError::NotFound(name) => write!(f, "OLE stream {name:?} not found"),
        }
    }
}

impl std::error::Error for CfbError {}

impl From<CfbError> for ReadError {
    fn from(e: CfbError) -> ReadError {
        ReadError::Damaged {
            detail: e.to_string(),
        }
    }
}

/// Reads a little-endian `u16` at `at`; 0 when the bytes are not there. Callers check lengths
/// first where a missing value matters; the fallback only guarantees there is never a panic.
pub(crate) fn le_u16(b: &[u8], at: usize) -> u16 {
    match at.checked_add(2).and_then(|end| b.get(at..end)) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]),
        None => 0,
    }
}

/// Reads a little-endian `u32` at `at`; 0 when the bytes are not there.
pub(crate) fn le_u32(b: &[u8], at: usize) -> u32 {
    match at.checked_add(4).and_then(|end| b.get(at..end)) {
        Some(s) => u32::from_le_bytes([s[0], s[1], s[2], s[3]]),
        None => 0,
    }
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    u64::from(le_u32(b, at)) | (u64::from(le_u32(b, at + 4)) << 32)
}

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The name, decoded the way calamine decodes it (UTF-16LE, cut at the first NUL).
    pub name: String,
    /// 0 unused, 1 storage, 2 stream, 5 root.
    pub kind: u8,
    left: u32,
    right: u32,
    child: u32,
    /// First sector (or mini sector) of the stream.
    pub start: u32,
    /// Stream size in bytes, as claimed.
    pub size: u64,
}

impl DirEntry {
    fn parse(raw: &[u8], sector_size: usize) -> Result<DirEntry, CfbError> {
        // UTF-16LE, a leading byte-order mark dropped (as calamine and encoding_rs do it).
        let name_bytes = raw.get(..64).unwrap_or(&[]);
        let units = name_bytes
            .strip_prefix(&[0xFF, 0xFE])
            .unwrap_or(name_bytes)
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]));
        let mut name: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        if let Some(nul) = name.find('\0') {
            name.truncate(nul);
        }
        let size = if sector_size == 512 {
            // Version 3 files keep only the low 32 bits; the high ones may hold junk.
            u64::from(le_u32(raw, 120))
        } else {
            le_u64(raw, 120)
        };
        // calamine converts the size with `usize::try_from(..).unwrap()`, which panics on
        // wasm32 for 4 GiB or more; no real stream in a file under 4 GiB is that large.
        if size > u64::from(u32::MAX) {
            return Err(CfbError::Entry("stream size of 4 GiB or more"));
        }
        Ok(DirEntry {
            name,
            kind: raw.get(66).copied().unwrap_or(0),
            left: le_u32(raw, 68),
            right: le_u32(raw, 72),
            child: le_u32(raw, 76),
            start: le_u32(raw, 116),
            size,
        })
    }
}

/// A stream read out of the container, with the file position of every byte, so a caller can
/// patch the file in place (same length, same layout) before handing it to another reader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stream {
    /// The stream's bytes (as many as the file actually holds, at most the claimed size).
    pub data: Vec<u8>,
    /// File offset of the start of each sector (or mini sector) of the stream.
    units: Vec<usize>,
    /// Sector size: 512, 4096, or 64 for the mini stream.
    unit: usize,
}

impl Stream {
    /// The file offset of byte `pos` of the stream, if the stream has that byte.
    pub fn file_offset(&self, pos: usize) -> Option<usize> {
        if pos >= self.data.len() || self.unit == 0 {
            return None;
        }
        let base = *self.units.get(pos / self.unit)?;
        base.checked_add(pos % self.unit)
    }
}

/// A bit per sector, to detect chains that loop. Sized from the file, never from a claim.
struct Seen(Vec<u64>);

impl Seen {
    fn new(n: usize) -> Seen {
        Seen(vec![0; n / 64 + 1])
    }

    /// Marks `id`; false when it was already marked (or lies outside the set).
    fn insert(&mut self, id: u32) -> bool {
        let i = id as usize;
        match self.0.get_mut(i / 64) {
            Some(word) => {
                let bit = 1u64 << (i % 64);
                let fresh = *word & bit == 0;
                *word |= bit;
                fresh
            }
            None => false,
        }
    }
}

/// Whether a chain may end in a sector that the file holds only in part.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Whole {
    /// Every sector must be complete (FAT, DIFAT, mini FAT: calamine asserts on a partial one).
    Always,
    /// Only the last sector read may be partial (a file cut short mid-chain is refused, so every
    /// byte of a stream maps to a file offset at a fixed place in its sector).
    ExceptLast,
}

/// A parsed compound file. Borrows the file's bytes.
#[derive(Debug)]
pub struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Sectors with at least one byte in the file.
    n_sectors: usize,
    fat: Vec<u32>,
    minifat: Vec<u32>,
    /// The sectors of the mini stream (the root entry's chain), in order.
    mini_sectors: Vec<u32>,
    /// Bytes of mini stream actually present.
    mini_len: usize,
    entries: Vec<DirEntry>,
}

impl<'a> Cfb<'a> {
    /// Checks a compound file's header, DIFAT, FAT, directory and mini stream.
    ///
    /// # Errors
    /// A [`CfbError`] when the header is not an OLE header, a count does not fit the file, a
    /// sector id lies outside the file, a chain loops, or a directory entry is unusable.
    pub fn parse(bytes: &'a [u8]) -> Result<Cfb<'a>, CfbError> {
        let len = bytes.len();
        if len < 512 {
            return Err(CfbError::TooShort { len });
        }
        if bytes[..8] != SIGNATURE {
            return Err(CfbError::Header("signature"));
        }
        if le_u16(bytes, 28) != 0xFFFE {
            return Err(CfbError::Header("byte order"));
        }
        let sector_size = match le_u16(bytes, 30) {
            9 => 512,
            12 => 4096,
            _ => return Err(CfbError::Header("sector shift")),
        };
        if le_u16(bytes, 32) != 6 {
            return Err(CfbError::Header("mini sector shift"));
        }
        // The header takes one whole sector (4096-byte sectors pad it).
        if len < sector_size {
            return Err(CfbError::TooShort { len });
        }
        let version = le_u16(bytes, 26);
        let body = len - sector_size;
        let n_full = body / sector_size;
        let n_sectors = body.div_ceil(sector_size);

        let csect_dir = le_u32(bytes, 40);
        let csect_fat = le_u32(bytes, 44);
        let dir_start = le_u32(bytes, 48);
        let minifat_start = le_u32(bytes, 60);
        let csect_minifat = le_u32(bytes, 64);
        let difat_start = le_u32(bytes, 68);
        let csect_difat = le_u32(bytes, 72);
        for (field, count) in [
            ("FAT", csect_fat),
            ("DIFAT", csect_difat),
            ("mini FAT", csect_minifat),
            ("directory", csect_dir),
        ] {
            if count as usize > n_full {
                return Err(CfbError::Count {
                    field,
                    count: u64::from(count),
                    max: n_full as u64,
                });
            }
        }

        let mut cfb = Cfb {
            bytes,
            sector_size,
            n_sectors,
            fat: Vec::new(),
            minifat: Vec::new(),
            mini_sectors: Vec::new(),
            mini_len: 0,
            entries: Vec::new(),
        };

        // DIFAT, calamine's way: the 109 header slots, then each DIFAT sector's entries, the
        // last of which is popped off as the next DIFAT sector. Each sector is used once.
        let mut difat: Vec<u32> = (0..HEADER_DIFAT)
            .map(|i| le_u32(bytes, 76 + 4 * i))
            .collect();
        let mut seen = Seen::new(n_sectors);
        let mut id = difat_start;
        while id < MAXREGSECT_END {
            let sector = cfb
                .sector(id, true)
                .ok_or(CfbError::Sector { chain: "DIFAT", id })?;
            if !seen.insert(id) {
                return Err(CfbError::Cycle { chain: "DIFAT" });
            }
            difat.extend(sector.chunks_exact(4).map(|c| le_u32(c, 0)));
            id = difat.pop().unwrap_or(ENDOFCHAIN);
        }

        // FAT: every DIFAT entry below DIFSECT is read as a FAT sector, as calamine does. Their
        // number, not the header's claim, decides how much is read; it must fit the file.
        let fat_ids: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
        if fat_ids.len() > n_full {
            return Err(CfbError::Count {
                field: "FAT (listed)",
                count: fat_ids.len() as u64,
                max: n_full as u64,
            });
        }
        let mut fat = Vec::with_capacity(fat_ids.len() * (sector_size / 4));
        for id in fat_ids {
            let sector = cfb
                .sector(id, true)
                .ok_or(CfbError::Sector { chain: "FAT", id })?;
            fat.extend(sector.chunks_exact(4).map(|c| le_u32(c, 0)));
        }
        cfb.fat = fat;

        // Directory: calamine concatenates the whole chain and cuts it into 128-byte entries.
        let (dir_ids, _) = cfb.chain(dir_start, None, "directory", Whole::ExceptLast)?;
        let dir = cfb.gather(&dir_ids, usize::MAX);
        let mut entries = Vec::with_capacity(dir.len() / DIR_ENTRY);
        for raw in dir.chunks_exact(DIR_ENTRY) {
            entries.push(DirEntry::parse(raw, sector_size)?);
        }
        let Some(root) = entries.first() else {
            return Err(CfbError::Entry("no root entry"));
        };
        if version != 3 && root.start == ENDOFCHAIN {
            // calamine refuses this too ("Empty Root directory").
            return Err(CfbError::Entry("empty root entry"));
        }
        let (root_start, root_size) = (root.start, root.size);
        cfb.entries = entries;

        // Mini stream and mini FAT, read only when the header says there is a mini FAT (the
        // condition calamine uses).
        if csect_minifat > 0 {
            if root_size > len as u64 {
                return Err(CfbError::StreamSize {
                    name: "Root Entry".into(),
                    size: root_size,
                });
            }
            let (ids, got) = cfb.chain(
                root_start,
                Some(root_size),
                "mini stream",
                Whole::ExceptLast,
            )?;
            cfb.mini_sectors = ids;
            cfb.mini_len = usize::try_from(got).unwrap_or(0);
            let want = u64::from(csect_minifat) * sector_size as u64;
            let (ids, got) = cfb.chain(minifat_start, Some(want), "mini FAT", Whole::Always)?;
            let raw = cfb.gather(&ids, usize::try_from(got).unwrap_or(0));
            cfb.minifat = raw.chunks_exact(4).map(|c| le_u32(c, 0)).collect();
        }
        Ok(cfb)
    }

    /// The bytes of sector `id`, if the file holds them (all of them when `whole`).
    fn sector(&self, id: u32, whole: bool) -> Option<&'a [u8]> {
        let start = (id as usize)
            .checked_add(1)?
            .checked_mul(self.sector_size)?;
        if start >= self.bytes.len() {
            return None;
        }
        let end = start.saturating_add(self.sector_size);
        match self.bytes.get(start..end) {
            Some(s) => Some(s),
            None if !whole => self.bytes.get(start..),
            None => None,
        }
    }

    /// Follows a FAT chain the way calamine's `get_chain` does: from `start` until ENDOFCHAIN,
    /// or until `limit` bytes are collected (one sector is read even for a limit of 0). Returns
    /// the sector ids and the number of bytes they contribute.
    fn chain(
        &self,
        start: u32,
        limit: Option<u64>,
        what: &'static str,
        whole: Whole,
    ) -> Result<(Vec<u32>, u64), CfbError> {
        let mut ids = Vec::new();
        let mut got: u64 = 0;
        let mut seen = Seen::new(self.n_sectors);
        let mut id = start;
        while id != ENDOFCHAIN {
            let sector = self
                .sector(id, whole == Whole::Always)
                .ok_or(CfbError::Sector { chain: what, id })?;
            if !seen.insert(id) {
                return Err(CfbError::Cycle { chain: what });
            }
            ids.push(id);
            let n = sector.len() as u64;
            match limit {
                Some(limit) => {
                    got += n.min(limit - got);
                    if got >= limit {
                        break;
                    }
                }
                None => got += n,
            }
            if sector.len() < self.sector_size {
                // The file ends inside this sector, yet the chain goes on.
                return Err(CfbError::Sector { chain: what, id });
            }
            id = *self
                .fat
                .get(id as usize)
                .ok_or(CfbError::Sector { chain: what, id })?;
        }
        Ok((ids, got))
    }

    /// The bytes of a checked chain, at most `limit` of them.
    fn gather(&self, ids: &[u32], limit: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for &id in ids {
            let Some(sector) = self.sector(id, false) else {
                break;
            };
            let take = sector.len().min(limit - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= limit {
                break;
            }
        }
        out
    }

    /// All directory entries, in directory order (the root entry first).
    pub fn entries(&self) -> &[DirEntry] {
        &self.entries
    }

    /// Names of the entries directly under the root storage, found by walking the directory
    /// tree. If the tree is broken, every entry's name (a document's streams are still named).
    pub fn top_level_names(&self) -> Vec<&str> {
        let all = || -> Vec<&str> {
            self.entries
                .iter()
                .skip(1)
                .filter(|e| !e.name.is_empty())
                .map(|e| e.name.as_str())
                .collect()
        };
        let Some(root) = self.entries.first() else {
            return Vec::new();
        };
        let mut names = Vec::new();
        let mut seen = vec![false; self.entries.len()];
        let mut stack = vec![root.child];
        while let Some(i) = stack.pop() {
            if i == NOSTREAM {
                continue;
            }
            let (Some(entry), Some(mark)) =
                (self.entries.get(i as usize), seen.get_mut(i as usize))
            else {
                return all();
            };
            if *mark {
                return all();
            }
            *mark = true;
            names.push(entry.name.as_str());
            stack.push(entry.left);
            stack.push(entry.right);
        }
        if names.is_empty() {
            return all();
        }
        names
    }

    /// The first entry whose name matches, ignoring ASCII case — calamine's lookup, so both
    /// readers read the same stream.
    pub fn find(&self, name: &str) -> Option<&DirEntry> {
        self.entries
            .iter()
            .find(|e| e.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
    }

    /// Reads a stream by name (see [`Cfb::find`]). Streams under 4096 bytes come from the mini
    /// stream, the others from the FAT, as calamine reads them.
    ///
    /// # Errors
    /// [`CfbError::NotFound`] when there is no such entry; [`CfbError::StreamSize`] when its
    /// claimed size is larger than the file; a chain error when its sectors do not check out.
    pub fn read_stream(&self, name: &str) -> Result<Stream, CfbError> {
        let entry = self
            .find(name)
            .ok_or_else(|| CfbError::NotFound(name.to_string()))?;
        if entry.size > self.bytes.len() as u64 {
            return Err(CfbError::StreamSize {
                name: entry.name.clone(),
                size: entry.size,
            });
        }
        let size = usize::try_from(entry.size).unwrap_or(0);
        if entry.size < MINI_STREAM_CUTOFF {
            return self.read_mini(entry.start, size);
        }
        let (ids, got) = self.chain(entry.start, Some(entry.size), "stream", Whole::ExceptLast)?;
        let data = self.gather(&ids, usize::try_from(got).unwrap_or(0));
        let units = ids
            .iter()
            .map(|&id| (id as usize + 1) * self.sector_size)
            .collect();
        Ok(Stream {
            data,
            units,
            unit: self.sector_size,
        })
    }

    /// Reads `size` bytes of a mini-stream chain. Every mini sector must lie wholly inside the
    /// mini stream actually present: calamine would otherwise read on from the file's reader
    /// (desynchronising it) or index its mini FAT out of bounds.
    fn read_mini(&self, start: u32, size: usize) -> Result<Stream, CfbError> {
        let mut data = Vec::new();
        let mut units = Vec::new();
        let mut seen = Seen::new(self.mini_len / MINI_SECTOR);
        let mut id = start;
        while id != ENDOFCHAIN {
            let beyond = CfbError::Sector {
                chain: "mini stream",
                id,
            };
            let pos = (id as usize)
                .checked_mul(MINI_SECTOR)
                .ok_or(beyond.clone())?;
            if pos.saturating_add(MINI_SECTOR) > self.mini_len {
                return Err(beyond);
            }
            if !seen.insert(id) {
                return Err(CfbError::Cycle {
                    chain: "mini stream",
                });
            }
            let file_pos = self.mini_offset(pos).ok_or(beyond.clone())?;
            let take = MINI_SECTOR.min(size - data.len());
            let bytes = file_pos
                .checked_add(take)
                .and_then(|end| self.bytes.get(file_pos..end))
                .ok_or(beyond.clone())?;
            data.extend_from_slice(bytes);
            units.push(file_pos);
            if data.len() >= size {
                break;
            }
            id = *self.minifat.get(id as usize).ok_or(beyond)?;
        }
        Ok(Stream {
            data,
            units,
            unit: MINI_SECTOR,
        })
    }

    /// File offset of byte `pos` of the mini stream. A mini sector never straddles two sectors
    /// (64 divides the sector size) and every sector of the mini stream but the last is whole.
    fn mini_offset(&self, pos: usize) -> Option<usize> {
        let sector = *self.mini_sectors.get(pos / self.sector_size)?;
        (sector as usize + 1)
            .checked_mul(self.sector_size)?
            .checked_add(pos % self.sector_size)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const FIXTURE: &[u8] =
        include_bytes!("../../tests/fixtures/qingshan/青山县统计局-村级基本情况统计表.xls");

    /// Writes a version 3 compound file (512-byte sectors) holding `streams` at the top level.
    /// Streams under 4096 bytes go to the mini stream, as the format requires.
    pub(crate) fn cfb_file(streams: &[(&str, &[u8])]) -> Vec<u8> {
        const SS: usize = 512;
        let secs = |n: usize| n.div_ceil(SS);
        let mut mini = Vec::new(); // mini stream bytes
        let mut minifat: Vec<u32> = Vec::new();
        let mut starts = Vec::new(); // (is_mini, start mini sector or stream index)
        for (_, data) in streams {
            if (data.len() as u64) < MINI_STREAM_CUTOFF {
                let first = (mini.len() / 64) as u32;
                let n = data.len().div_ceil(64).max(1);
                for k in 0..n {
                    minifat.push(if k + 1 == n {
                        ENDOFCHAIN
                    } else {
                        first + k as u32 + 1
                    });
                }
                mini.extend_from_slice(data);
                mini.resize((first as usize + n) * 64, 0);
                starts.push((true, first));
            } else {
                starts.push((false, 0));
            }
        }
        let n_dir = secs((streams.len() + 1) * DIR_ENTRY);
        let n_minifat = secs(minifat.len() * 4);
        let n_mini = secs(mini.len());
        let n_big: usize = streams
            .iter()
            .filter(|(_, d)| d.len() as u64 >= MINI_STREAM_CUTOFF)
            .map(|(_, d)| secs(d.len()))
            .sum();
        let mut n_fat = 1;
        while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + n_big {
            n_fat += 1;
        }
        assert!(n_fat <= HEADER_DIFAT);
        let mut fat: Vec<u32> = vec![0xFFFF_FFFD; n_fat];
        let chain = |fat: &mut Vec<u32>, n: usize| -> u32 {
            let first = fat.len() as u32;
            for k in 0..n {
                fat.push(if k + 1 == n {
                    ENDOFCHAIN
                } else {
                    first + k as u32 + 1
                });
            }
            if n == 0 {
                ENDOFCHAIN
            } else {
                first
            }
        };
        let dir_start = chain(&mut fat, n_dir);
        let minifat_start = chain(&mut fat, n_minifat);
        let mini_start = chain(&mut fat, n_mini);
        let mut big_starts = Vec::new();
        for (_, d) in streams {
            if d.len() as u64 >= MINI_STREAM_CUTOFF {
                big_starts.push(chain(&mut fat, secs(d.len())));
            }
        }
        let total = fat.len();
        fat.resize(n_fat * 128, 0xFFFF_FFFF);

        let mut out = vec![0u8; SS];
        out[..8].copy_from_slice(&SIGNATURE);
        out[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
        out[26..28].copy_from_slice(&3u16.to_le_bytes());
        out[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        out[30..32].copy_from_slice(&9u16.to_le_bytes());
        out[32..34].copy_from_slice(&6u16.to_le_bytes());
        out[44..48].copy_from_slice(&(n_fat as u32).to_le_bytes());
        out[48..52].copy_from_slice(&dir_start.to_le_bytes());
        out[56..60].copy_from_slice(&4096u32.to_le_bytes());
        out[60..64].copy_from_slice(&minifat_start.to_le_bytes());
        out[64..68].copy_from_slice(&(n_minifat as u32).to_le_bytes());
        out[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for i in 0..HEADER_DIFAT {
            let v = if i < n_fat { i as u32 } else { 0xFFFF_FFFF };
            out[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        let pad = |out: &mut Vec<u8>| out.resize(out.len().div_ceil(SS) * SS, 0);
        for v in &fat {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // Directory: root, then one entry per stream, linked as a chain of right siblings.
        let entry = |name: &str, kind: u8, right: u32, child: u32, start: u32, size: u64| {
            let mut e = vec![0u8; DIR_ENTRY];
            let units: Vec<u16> = name.encode_utf16().collect();
            for (i, u) in units.iter().enumerate() {
                e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            e[64..66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
            e[66] = kind;
            e[67] = 1;
            e[68..72].copy_from_slice(&NOSTREAM.to_le_bytes());
            e[72..76].copy_from_slice(&right.to_le_bytes());
            e[76..80].copy_from_slice(&child.to_le_bytes());
            e[116..120].copy_from_slice(&start.to_le_bytes());
            e[120..128].copy_from_slice(&size.to_le_bytes());
            e
        };
        let root_child = if streams.is_empty() { NOSTREAM } else { 1 };
        out.extend(entry(
            "Root Entry",
            5,
            NOSTREAM,
            root_child,
            mini_start,
            mini.len() as u64,
        ));
        let mut big = big_starts.iter();
        for (i, ((name, data), (is_mini, first))) in streams.iter().zip(&starts).enumerate() {
            let right = if i + 1 < streams.len() {
                i as u32 + 2
            } else {
                NOSTREAM
            };
            let start = if *is_mini {
                *first
            } else {
                *big.next().unwrap()
            };
            out.extend(entry(name, 2, right, NOSTREAM, start, data.len() as u64));
        }
        pad(&mut out);
        for v in &minifat {
            out.extend_from_slice(&v.to_le_bytes());
        }
        pad(&mut out);
        out.extend_from_slice(&mini);
        pad(&mut out);
        for (_, d) in streams {
            if d.len() as u64 >= MINI_STREAM_CUTOFF {
                out.extend_from_slice(d);
                pad(&mut out);
            }
        }
        assert_eq!(out.len(), SS * (1 + total));
        out
    }

    fn set_u32(b: &mut [u8], at: usize, v: u32) {
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn fixture_lists_and_reads_the_workbook_stream() {
        let cfb = Cfb::parse(FIXTURE).unwrap();
        assert_eq!(cfb.top_level_names(), vec!["Workbook"]);
        let s = cfb.read_stream("workbook").unwrap();
        assert_eq!(s.data.len(), 8192);
        assert_eq!(&s.data[..4], &[0x09, 0x08, 0x10, 0x00]);
        // Byte 0 of the stream is sector 0, right after the 512-byte header.
        assert_eq!(s.file_offset(0), Some(512));
        assert_eq!(FIXTURE[s.file_offset(700).unwrap()], s.data[700]);
    }

    #[test]
    fn written_files_round_trip_through_both_chains() {
        let small: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let big: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        let file = cfb_file(&[("Small", &small), ("Big", &big), ("Tiny", b"abc")]);
        let cfb = Cfb::parse(&file).unwrap();
        assert_eq!(cfb.top_level_names(), vec!["Small", "Big", "Tiny"]);
        assert_eq!(cfb.read_stream("small").unwrap().data, small);
        assert_eq!(cfb.read_stream("Big").unwrap().data, big);
        let tiny = cfb.read_stream("Tiny").unwrap();
        assert_eq!(tiny.data, b"abc");
        assert_eq!(file[tiny.file_offset(2).unwrap()], b'c');
        assert_eq!(
            cfb.read_stream("Nope").unwrap_err(),
            CfbError::NotFound("Nope".into())
        );
    }

    #[test]
    fn header_only_is_refused() {
        let err = Cfb::parse(&FIXTURE[..512]).unwrap_err();
        assert!(matches!(err, CfbError::Count { field: "FAT", .. }), "{err}");
        assert!(matches!(
            Cfb::parse(&FIXTURE[..100]),
            Err(CfbError::TooShort { len: 100 })
        ));
    }

    #[test]
    fn huge_fat_and_difat_counts_are_refused_before_reading() {
        let mut f = FIXTURE.to_vec();
        set_u32(&mut f, 44, 0xFFFF_FFF0);
        assert!(matches!(
            Cfb::parse(&f),
            Err(CfbError::Count { field: "FAT", .. })
        ));
        let mut f = FIXTURE.to_vec();
        set_u32(&mut f, 72, 0x7FFF_FFFF);
        assert!(matches!(
            Cfb::parse(&f),
            Err(CfbError::Count { field: "DIFAT", .. })
        ));
        // Header DIFAT slots all naming sector 0: a FAT "listed" 109 times in an 18-sector file.
        let mut f = FIXTURE.to_vec();
        for i in 0..HEADER_DIFAT {
            set_u32(&mut f, 76 + 4 * i, 0);
        }
        assert!(matches!(
            Cfb::parse(&f),
            Err(CfbError::Count {
                field: "FAT (listed)",
                ..
            })
        ));
    }

    #[test]
    fn difat_loop_is_refused() {
        // Append a DIFAT sector whose "next" slot names itself.
        let mut f = FIXTURE.to_vec();
        let id = ((f.len() - 512) / 512) as u32;
        let mut sector = vec![0xFFu8; 512];
        set_u32(&mut sector, 508, id);
        f.extend_from_slice(&sector);
        set_u32(&mut f, 68, id);
        set_u32(&mut f, 72, 1);
        assert_eq!(
            Cfb::parse(&f).unwrap_err(),
            CfbError::Cycle { chain: "DIFAT" }
        );
    }

    #[test]
    fn directory_loop_and_far_sectors_are_refused() {
        let fat_sector = le_u32(FIXTURE, 76) as usize;
        let dir = le_u32(FIXTURE, 48) as usize;
        let mut f = FIXTURE.to_vec();
        set_u32(&mut f, (fat_sector + 1) * 512 + 4 * dir, dir as u32);
        assert_eq!(
            Cfb::parse(&f).unwrap_err(),
            CfbError::Cycle { chain: "directory" }
        );
        let mut f = FIXTURE.to_vec();
        set_u32(&mut f, 48, 1_000_000);
        assert_eq!(
            Cfb::parse(&f).unwrap_err(),
            CfbError::Sector {
                chain: "directory",
                id: 1_000_000
            }
        );
    }

    #[test]
    fn stream_chain_loop_and_size_lies_are_refused() {
        let fat_sector = le_u32(FIXTURE, 76) as usize;
        let mut f = FIXTURE.to_vec();
        // Workbook starts at sector 0; make sector 3 lead back to sector 1.
        set_u32(&mut f, (fat_sector + 1) * 512 + 4 * 3, 1);
        let cfb = Cfb::parse(&f).unwrap();
        assert_eq!(
            cfb.read_stream("Workbook").unwrap_err(),
            CfbError::Cycle { chain: "stream" }
        );
        // The Workbook entry is the second directory entry; claim 4 GiB - 1.
        let dir = le_u32(FIXTURE, 48) as usize;
        let mut f = FIXTURE.to_vec();
        set_u32(&mut f, (dir + 1) * 512 + DIR_ENTRY + 120, u32::MAX);
        let cfb = Cfb::parse(&f).unwrap();
        assert!(matches!(
            cfb.read_stream("Workbook"),
            Err(CfbError::StreamSize { .. })
        ));
    }

    #[test]
    fn truncated_files_never_panic() {
        for cut in (0..FIXTURE.len()).step_by(97) {
            if let Ok(cfb) = Cfb::parse(&FIXTURE[..cut]) {
                let _ = cfb.read_stream("Workbook");
            }
        }
    }

    #[test]
    fn mutated_headers_and_tables_never_panic() {
        let file = cfb_file(&[("Workbook", &[7u8; 5000]), ("Small", &[1u8; 200])]);
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut f = file.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly the header and the FAT/directory sectors right after it.
                let at = (seed as usize >> 8) % 2048.min(f.len());
                f[at] = (seed >> 40) as u8;
            }
            if let Ok(cfb) = Cfb::parse(&f) {
                let _ = cfb.top_level_names();
                let _ = cfb.read_stream("Workbook");
                let _ = cfb.read_stream("Small");
            }
        }
    }
}
