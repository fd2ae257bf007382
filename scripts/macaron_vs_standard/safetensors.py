"""A tiny safetensors writer (no pip package): 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets}, "__metadata__": {str: str}} padded with spaces to a multiple
of 8, then the raw little-endian tensor bytes in header order."""
import json
import struct
import numpy as np

DTYPES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64'}


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, numpy array) in file order; metadata: dict str → str."""
    header, chunks, off = {'__metadata__': {str(k): str(v) for k, v in metadata.items()}}, [], 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr)
        if arr.dtype not in DTYPES:
            raise ValueError('%s: dtype %s is not float32/float64' % (name, arr.dtype))
        raw = arr.astype(arr.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': DTYPES[arr.dtype], 'shape': list(arr.shape), 'data_offsets': [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(text)))
        fh.write(text)
        for c in chunks:
            fh.write(c)


def read_safetensors(path):
    """Reads back what write_safetensors wrote (used to check the export round trip)."""
    with open(path, 'rb') as fh:
        data = fh.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    buf = data[8 + n:]
    inv = {v: k for k, v in DTYPES.items()}
    out = {name: np.frombuffer(buf[e['data_offsets'][0]:e['data_offsets'][1]], dtype=inv[e['dtype']].newbyteorder('<')).reshape(e['shape'])
           for name, e in header.items()}
    return out, meta
