#!/usr/bin/env python3
"""What a user would otherwise run for `videojam flow`: OpenCV in Python.

Reads a video, resizes each frame to WxH (bilinear), estimates DIS optical flow between
consecutive frames (the preset given), renders each flow as RGB by Eq. 5 (hue = direction,
value = min(1, speed / (sigma * diagonal)), saturation 1), the first flow duplicated so there are
as many motion frames as frames, and writes them as an MP4 (OpenCV's mp4v encoder).

usage: opencv_flow.py VIDEO OUT.mp4 --size 384x288 --frames 400 --preset medium [--sigma 0.15]
Needs python3-opencv (Debian) and numpy.
"""
import argparse
import sys
import time

import cv2
import numpy as np

PRESETS = {"ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
           "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
           "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}


def eq5(flow, sigma):
    h, w = flow.shape[:2]
    limit = sigma * np.hypot(h, w)
    mag, ang = cv2.cartToPolar(flow[..., 0], flow[..., 1], angleInDegrees=True)
    hsv = np.empty((h, w, 3), np.float32)
    hsv[..., 0] = ang  # OpenCV float HSV: hue in degrees [0, 360)
    hsv[..., 1] = 1.0
    hsv[..., 2] = np.minimum(1.0, mag / limit)
    bgr = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    return np.rint(bgr * 255.0).astype(np.uint8)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("video")
    p.add_argument("out")
    p.add_argument("--size", default="384x288")
    p.add_argument("--frames", type=int, default=400)
    p.add_argument("--preset", default="medium", choices=PRESETS)
    p.add_argument("--sigma", type=float, default=0.15)
    a = p.parse_args()
    w, h = (int(x) for x in a.size.lower().split("x"))
    t0 = time.perf_counter()
    cap = cv2.VideoCapture(a.video)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    dis = cv2.DISOpticalFlow_create(PRESETS[a.preset])
    writer = cv2.VideoWriter(a.out, cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    prev = None
    n = 0
    first = True
    while n < a.frames:
        ok, frame = cap.read()
        if not ok:
            break
        gray = cv2.cvtColor(cv2.resize(frame, (w, h), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2GRAY)
        if prev is not None:
            rgb = eq5(dis.calc(prev, gray, None), a.sigma)
            if first:  # duplicate-first: T - 1 flows become T motion frames
                writer.write(rgb)
                first = False
            writer.write(rgb)
        prev = gray
        n += 1
    writer.release()
    cap.release()
    print(f"wrote {a.out}: {n} frames of {w}x{h}, {time.perf_counter() - t0:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
