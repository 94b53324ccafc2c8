// Flattening of a (possibly 2-D) dispatch into one index, so that more than 65535 workgroups fit.
fn linear_index(gid: vec3u, groups: vec3u, workgroup_size: u32) -> u32 {
  return gid.x + gid.y * groups.x * workgroup_size;
}
