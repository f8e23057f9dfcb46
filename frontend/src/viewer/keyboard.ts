/**
 * Keyboard camera control while the 3D canvas has focus (WCAG 2.1.1): arrows move, Shift+arrows
 * turn and tilt, +/- zoom. Movement scales with height so it feels the same at any zoom.
 */
import { Math as CMath, type CesiumWidget } from 'cesium'

export function enableKeyboardCamera(widget: CesiumWidget): () => void {
  const canvas = widget.canvas
  const onKey = (ev: KeyboardEvent) => {
    const camera = widget.camera
    const step = Math.max(5, camera.positionCartographic.height * 0.1)
    const angle = CMath.toRadians(5)
    let handled = true
    if (ev.shiftKey) {
      switch (ev.key) {
        case 'ArrowLeft':
          camera.lookLeft(angle)
          break
        case 'ArrowRight':
          camera.lookRight(angle)
          break
        case 'ArrowUp':
          camera.lookUp(angle)
          break
        case 'ArrowDown':
          camera.lookDown(angle)
          break
        default:
          handled = false
      }
    } else {
      switch (ev.key) {
        case 'ArrowLeft':
          camera.moveLeft(step)
          break
        case 'ArrowRight':
          camera.moveRight(step)
          break
        case 'ArrowUp':
          camera.moveUp(step)
          break
        case 'ArrowDown':
          camera.moveDown(step)
          break
        case '+':
        case '=':
          camera.zoomIn(step * 2)
          break
        case '-':
        case '_':
          camera.zoomOut(step * 2)
          break
        default:
          handled = false
      }
    }
    if (handled) {
      ev.preventDefault()
      widget.scene.requestRender()
    }
  }
  canvas.addEventListener('keydown', onKey)
  return () => canvas.removeEventListener('keydown', onKey)
}
