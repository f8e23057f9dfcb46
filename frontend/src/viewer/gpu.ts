/**
 * Which WebGL renderer this browser would give the 3D view, read from a throwaway canvas before
 * Cesium starts (so the widget can be created in light mode without a GPU). No cesium import:
 * main.ts calls it while the viewer chunk is still loading.
 */
export function webglRenderer(): string | undefined {
  try {
    const canvas = document.createElement('canvas')
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null
    if (!gl) return undefined
    const info = gl.getExtension('WEBGL_debug_renderer_info')
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '')
    gl.getExtension('WEBGL_lose_context')?.loseContext()
    return renderer
  } catch {
    return undefined
  }
}
