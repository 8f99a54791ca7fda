//! Small encoders (RFC 4648 base32 and base64, UUID text) so no extra dependency is needed.

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// RFC 4648 base32, upper case, with `=` padding.
pub fn base32(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                let idx = (bits >> (35 - i * 5)) & 0x1f;
                out.push(B32[idx as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// RFC 4648 base64, standard alphabet, with `=` padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let mut buf = [0u8; 3];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = (u32::from(buf[0]) << 16) | (u32::from(buf[1]) << 8) | u32::from(buf[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((bits >> (18 - i * 6)) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A UUID (version 8, RFC 9562 "custom") made from the first 16 bytes of `hash`.
pub fn uuid_from_hash(hash: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", "", ""),
            ("f", "MY======", "Zg=="),
            ("fo", "MZXQ====", "Zm8="),
            ("foo", "MZXW6===", "Zm9v"),
            ("foob", "MZXW6YQ=", "Zm9vYg=="),
            ("fooba", "MZXW6YTB", "Zm9vYmE="),
            ("foobar", "MZXW6YTBOI======", "Zm9vYmFy"),
        ];
        for (input, b32, b64) in cases {
            assert_eq!(base32(input.as_bytes()), b32, "base32 {input:?}");
            assert_eq!(base64(input.as_bytes()), b64, "base64 {input:?}");
        }
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_from_hash(&[0xffu8; 32]);
        assert_eq!(u, "ffffffff-ffff-8fff-bfff-ffffffffffff");
    }
}
