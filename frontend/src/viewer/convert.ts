/** Conversions between Cesium types and the engine-neutral ones in core/geo.ts. */
import { Camera, Cartesian3, Cartographic, Math as CMath } from 'cesium'
import type { CameraView, LonLat, LonLatHeight } from '../core/geo'

export function toCartesian(p: LonLat & { height?: number }): Cartesian3 {
  return Cartesian3.fromDegrees(p.lon, p.lat, p.height ?? 0)
}

export function toLonLatHeight(c: Cartesian3): LonLatHeight {
  const carto = Cartographic.fromCartesian(c)
  return { lon: CMath.toDegrees(carto.longitude), lat: CMath.toDegrees(carto.latitude), height: carto.height }
}

export function cameraView(camera: Camera): CameraView {
  const pos = camera.positionCartographic
  return {
    position: { lon: CMath.toDegrees(pos.longitude), lat: CMath.toDegrees(pos.latitude), height: pos.height },
    heading: CMath.toDegrees(camera.heading),
    pitch: CMath.toDegrees(camera.pitch),
    roll: CMath.toDegrees(camera.roll),
  }
}

export function cameraOptions(view: CameraView) {
  return {
    destination: toCartesian(view.position),
    orientation: {
      heading: CMath.toRadians(view.heading),
      pitch: CMath.toRadians(view.pitch),
      roll: CMath.toRadians(view.roll),
    },
  }
}
