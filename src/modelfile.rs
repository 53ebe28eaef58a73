//! Model files: the safetensors layout, so any safetensors reader can open
//! them. An 8-byte little-endian header length N, N bytes of JSON header,
//! then the raw little-endian f32 tensors. The header's `__metadata__` holds
//! `format` = "aelab-model", `version` = "1" and `config` (the experiment
//! config as JSON); each tensor is named `{net}.{layer}.weight|bias` with
//! net one of encoder, decoder, head, ae_encoder; weights are (inputs × outputs).
//! Reading checks all of it and refuses, with a reason, anything else.

use crate::bail;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::net::Net;
use serde_json::{json, Map, Value};

pub const FORMAT: &str = "aelab-model";
pub const VERSION: &str = "1";
const MAX_HEADER: u64 = 1 << 20;

fn nets_mut(m: &mut Model) -> [(&'static str, Option<&mut Net>); 4] {
    [
        ("encoder", m.encoder.as_mut()),
        ("decoder", m.decoder.as_mut()),
        ("head", m.head.as_mut()),
        ("ae_encoder", m.ae_encoder.as_mut()),
    ]
}

pub fn save(model: &Model) -> Vec<u8> {
    let mut header = Map::new();
    let config = serde_json::to_string(&model.config).expect("configs serialise");
    header.insert(
        "__metadata__".into(),
        json!({ "format": FORMAT, "version": VERSION, "config": config }),
    );
    let mut data: Vec<u8> = Vec::new();
    for (name, net) in model.nets() {
        for (i, layer) in net.layers.iter().enumerate() {
            for (kind, shape, values) in [
                (
                    "weight",
                    vec![layer.n_in(), layer.n_out()],
                    layer.w.iter().copied().collect::<Vec<f32>>(),
                ),
                ("bias", vec![layer.n_out()], layer.b.to_vec()),
            ] {
                let start = data.len();
                data.extend(values.iter().flat_map(|v| v.to_le_bytes()));
                header.insert(
                    format!("{name}.{i}.{kind}"),
                    json!({ "dtype": "F32", "shape": shape, "data_offsets": [start, data.len()] }),
                );
            }
        }
    }
    let mut head = serde_json::to_vec(&Value::Object(header)).expect("json");
    // safetensors pads the header with spaces to a multiple of 8.
    while !head.len().is_multiple_of(8) {
        head.push(b' ');
    }
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend(head);
    out.extend(data);
    out
}

pub fn load(bytes: &[u8]) -> Result<Model> {
    if bytes.len() < 8 {
        bail!(
            "model file: {} bytes is too short to be a model file",
            bytes.len()
        );
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if n > MAX_HEADER || 8 + n > bytes.len() as u64 {
        bail!(
            "model file: not an aelab model file, or truncated (header length {n}, file {} bytes)",
            bytes.len()
        );
    }
    let header: Value = serde_json::from_slice(&bytes[8..8 + n as usize]).map_err(|e| {
        Error(format!(
            "model file: the header is not valid JSON ({e}); not an aelab model file?"
        ))
    })?;
    let data = &bytes[8 + n as usize..];
    let meta = header
        .get("__metadata__")
        .ok_or_else(|| Error("model file: no __metadata__; not an aelab model file".into()))?;
    let field = |k: &str| meta.get(k).and_then(Value::as_str);
    if field("format") != Some(FORMAT) {
        bail!(
            "model file: format {:?}, expected {FORMAT:?}",
            field("format").unwrap_or("missing")
        );
    }
    match field("version") {
        Some(VERSION) => {}
        v => bail!(
            "model file: version {:?} is not supported; this aelab reads version {VERSION}",
            v.unwrap_or("missing")
        ),
    }
    let config: Config = serde_json::from_str(field("config").unwrap_or("")).map_err(|e| {
        Error(format!(
            "model file: its config does not fit this version ({e})"
        ))
    })?;
    let mut model = Model::new(&config).map_err(|e| Error(format!("model file: {e}")))?;
    let has_ae_encoder = header
        .as_object()
        .is_some_and(|h| h.keys().any(|k| k.starts_with("ae_encoder.")));
    if has_ae_encoder {
        model.ae_encoder = model.encoder.as_ref().map(Net::snapshot);
    }
    let mut used = 1; // __metadata__
    for (name, net) in nets_mut(&mut model) {
        let Some(net) = net else { continue };
        for (i, layer) in net.layers.iter_mut().enumerate() {
            let (n_in, n_out) = (layer.n_in(), layer.n_out());
            let w = read_tensor(&header, data, &format!("{name}.{i}.weight"), &[n_in, n_out])?;
            let b = read_tensor(&header, data, &format!("{name}.{i}.bias"), &[n_out])?;
            layer
                .w
                .as_slice_mut()
                .expect("contiguous")
                .copy_from_slice(&w);
            layer
                .b
                .as_slice_mut()
                .expect("contiguous")
                .copy_from_slice(&b);
            used += 2;
        }
    }
    let total = header.as_object().map_or(0, Map::len);
    if used != total {
        bail!(
            "model file: {} tensors do not belong to a {} model",
            total - used,
            config.name
        );
    }
    if !model.all_finite() {
        bail!("model file: some weights are NaN or infinite");
    }
    Ok(model)
}

fn read_tensor(header: &Value, data: &[u8], name: &str, shape: &[usize]) -> Result<Vec<f32>> {
    let t = header
        .get(name)
        .ok_or_else(|| Error(format!("model file: tensor {name} is missing")))?;
    if t.get("dtype").and_then(Value::as_str) != Some("F32") {
        bail!("model file: tensor {name} is not F32");
    }
    let got: Option<Vec<usize>> = t.get("shape").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|v| v.as_u64().map(|v| v as usize))
            .collect()
    });
    if got.as_deref() != Some(shape) {
        bail!(
            "model file: tensor {name} has shape {:?}; the config needs {shape:?}",
            got.unwrap_or_default()
        );
    }
    let offs: Vec<usize> = t
        .get("data_offsets")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64().map(|v| v as usize))
                .collect()
        })
        .unwrap_or_default();
    let (a, b) = match offs[..] {
        [a, b] if a <= b && b <= data.len() && b - a == 4 * shape.iter().product::<usize>() => {
            (a, b)
        }
        _ => bail!("model file: tensor {name} has bad data offsets {offs:?} (file truncated?)"),
    };
    Ok(data[a..b]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Protocol;
    use crate::experiments::{config, Preset};

    /// The first `from` in `hay` replaced by `to` (same length: offsets hold).
    fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        assert_eq!(from.len(), to.len());
        let at = hay
            .windows(from.len())
            .position(|w| w == from)
            .expect("pattern present");
        let mut out = hay.to_vec();
        out[at..at + to.len()].copy_from_slice(to);
        out
    }

    fn model() -> Model {
        let mut m =
            Model::new(&config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap()).unwrap();
        m.ae_encoder = m.encoder.as_ref().map(Net::snapshot);
        m
    }

    #[test]
    fn round_trip_is_exact() {
        let m = model();
        let bytes = save(&m);
        let back = load(&bytes).unwrap();
        assert_eq!(back.config, m.config);
        for ((n1, a), (n2, b)) in m.nets().zip(back.nets()) {
            assert_eq!(n1, n2);
            for (la, lb) in a.layers.iter().zip(&b.layers) {
                assert_eq!(la.w, lb.w);
                assert_eq!(la.b, lb.b);
            }
        }
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_a_reason() {
        let bytes = save(&model());
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "too short"),
            (bytes[..bytes.len() - 4].to_vec(), "bad data offsets"),
            (bytes[..40].to_vec(), "truncated"),
            (
                b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!".to_vec(),
                "not valid JSON",
            ),
            (
                (0..4000u32)
                    .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
                    .collect(),
                "not an aelab model file",
            ),
        ];
        for (b, want) in cases {
            let e = load(&b)
                .err()
                .unwrap_or_else(|| panic!("accepted a file that should say {want:?}"))
                .0;
            assert!(e.contains(want), "{e:?} should mention {want:?}");
        }
        let other_version = replace(&bytes, b"\"version\":\"1\"", b"\"version\":\"9\"");
        let e = load(&other_version).unwrap_err().0;
        assert!(e.contains("version \"9\" is not supported"), "{e}");
        // Another shape: the config says a 10-unit code, the tensors a 12-unit one.
        let mut c = config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap();
        c.encoder[1].width = 12;
        let wide = save(&Model::new(&c).unwrap());

        let cfg12 = serde_json::to_string(&serde_json::to_string(&c).unwrap()).unwrap();
        let mut c10 = c.clone();
        c10.encoder[1].width = 10;
        let cfg10 = serde_json::to_string(&serde_json::to_string(&c10).unwrap()).unwrap();
        let lying = replace(&wide, cfg12.as_bytes(), cfg10.as_bytes());
        assert!(
            load(&lying).unwrap_err().0.contains("shape"),
            "a shape mismatch is named"
        );
    }
}
