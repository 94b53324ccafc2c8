// A NIR Conv1d or Conv2d node (a Conv1d has in_h = kernel_h = 1): grouped, strided, dilated,
// zero-padded, one thread per output element, summed over (input channel, ky, kx) in that order.
// Twin: conv in src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  in_channels: u32,
  out_channels: u32,
  groups: u32,
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
  dilation_h: u32,
  dilation_w: u32,
  src_mode: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> src: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let p = params;
  let o = linear_index(gid, groups, WORKGROUP_SIZE);
  let count = p.out_channels * p.out_h * p.out_w;
  if (o >= count) {
    return;
  }
  let ox = o % p.out_w;
  let oy = (o / p.out_w) % p.out_h;
  let oc = o / (p.out_w * p.out_h);
  let out_per_group = p.out_channels / p.groups;
  let in_per_group = p.in_channels / p.groups;
  let group = oc / out_per_group;
  let x0 = nir_offset(p.src_mode, p.in_channels * p.in_h * p.in_w);
  var acc = 0.0;
  for (var ic = 0u; ic < in_per_group; ic++) {
    let channel = group * in_per_group + ic;
    for (var ky = 0u; ky < p.kernel_h; ky++) {
      let iy = i32(oy * p.stride_h + ky * p.dilation_h) - i32(p.pad_h);
      if (iy < 0 || iy >= i32(p.in_h)) {
        continue;
      }
      for (var kx = 0u; kx < p.kernel_w; kx++) {
        let ix = i32(ox * p.stride_w + kx * p.dilation_w) - i32(p.pad_w);
        if (ix < 0 || ix >= i32(p.in_w)) {
          continue;
        }
        let w = weight[((oc * in_per_group + ic) * p.kernel_h + ky) * p.kernel_w + kx];
        acc = acc + w * src[x0 + (channel * p.in_h + u32(iy)) * p.in_w + u32(ix)];
      }
    }
  }
  dst[nir_offset(HALF_THIS_STEP, count) + o] = acc + bias[oc];
}
