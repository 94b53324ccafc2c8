// A NIR SumPool2d or AvgPool2d node over zero-padded windows (the average counts the padding),
// one thread per output element. Twin: pool in src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  channels: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  kernel_h: u32,
  kernel_w: u32,
  stride_h: u32,
  stride_w: u32,
  pad_h: u32,
  pad_w: u32,
  src_mode: u32,
  average: u32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let o = linear_index(gid, groups, WORKGROUP_SIZE);
  let count = p.channels * p.out_h * p.out_w;
  if (o >= count) {
    return;
  }
  let ox = o % p.out_w;
  let oy = (o / p.out_w) % p.out_h;
  let c = o / (p.out_w * p.out_h);
  let x0 = nir_offset(p.src_mode, p.channels * p.in_h * p.in_w);
  var acc = 0.0;
  for (var ky = 0u; ky < p.kernel_h; ky++) {
    let iy = i32(oy * p.stride_h + ky) - i32(p.pad_h);
    if (iy < 0 || iy >= i32(p.in_h)) {
      continue;
    }
    for (var kx = 0u; kx < p.kernel_w; kx++) {
      let ix = i32(ox * p.stride_w + kx) - i32(p.pad_w);
      if (ix < 0 || ix >= i32(p.in_w)) {
        continue;
      }
      acc = acc + src[x0 + (c * p.in_h + u32(iy)) * p.in_w + u32(ix)];
    }
  }
  if (p.average == 1u) {
    acc = acc * p.scale;
  }
  dst[nir_offset(HALF_THIS_STEP, count) + o] = acc;
}
