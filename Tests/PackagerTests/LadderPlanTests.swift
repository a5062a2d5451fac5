import TestSupport
import LibAV
@testable import Packager
import Testing

@Suite struct LadderPlanTests {
    let preset = try! PresetLibrary(folders: [Fixtures.presetsFolder]).load("default")

    func video(_ width: Int, _ height: Int, sar: Rational = Rational(1, 1), rotation: Int = 0) -> DisplayGeometry {
        DisplayGeometry(codedWidth: width, codedHeight: height, sampleAspectRatio: sar, rotation: rotation)
    }

    @Test func aSourceSmallerThanEveryRungGetsTheLowestOfEachCodec() {
        var mixed = preset
        mixed.rungs = [Preset.Rung(name: "360p", height: 360, bitrate: 600_000, maxrate: 700_000, bufsize: 1_400_000),
                       Preset.Rung(name: "240p-av1", height: 240, bitrate: 200_000, maxrate: 300_000, bufsize: 600_000, codec: .av1)]
        let plan = LadderPlan(source: video(160, 90), preset: mixed)
        #expect(plan.rungs.map(\.name) == ["90p", "90p-av1"] && plan.rungs.map(\.codec) == [.h264, .av1], "an H.264 client still finds one")
        #expect(plan.rungs.map(\.height) == [90, 90] && plan.rungs[1].maxrate == 112_500)
    }

    /// HDR rungs for an HDR source only (never an inverse tone map), never above its height;
    /// each range a cascade of its own.
    @Test func hdrRungsAreMadeOnlyFromAnHDRSource() throws {
        let tv = try PresetLibrary(folders: [Fixtures.presetsFolder]).load("tv")
        let sdr = LadderPlan(source: video(1920, 1080), preset: tv)
        #expect(sdr.rungs.map(\.name) == ["1080p", "1080p-hevc", "720p", "480p"] && sdr.rungs.allSatisfy { $0.hdr == nil })
        let hdr = LadderPlan(source: video(1920, 1080), preset: tv, hdr: HDRFormat(transfer: .pq))
        #expect(hdr.rungs.map(\.name) == ["1080p", "1080p-hevc", "1080p-hdr", "720p", "480p"])
        let kept = try #require(hdr.rungs.first { $0.name == "1080p-hdr" })
        #expect(kept.hdr?.transfer == .pq && kept.profile == "main10" && kept.codec == .hevc && kept.pixelFormat == .yuv420p10le)
        let inputs = LadderPlan.inputSizes(of: hdr.rungs, normalised: (1920, 1080)).map { "\($0.width)x\($0.height)" }
        #expect(inputs == ["1920x1080", "1920x1080", "1920x1080", "1920x1080", "1280x720"])
        let small = LadderPlan(source: video(320, 180), preset: tv, hdr: HDRFormat(transfer: .hlg))
        #expect(small.rungs.map(\.name) == ["180p", "180p-hevc"] && small.rungs.allSatisfy { $0.hdr == nil }, "the fallback is SDR")
    }

    @Test func fullHDSourceGetsThreeRungsAndNoUpscale() {
        let plan = LadderPlan(source: video(1920, 1080), preset: preset)
        #expect(plan.rungs.map(\.name) == ["1080p", "720p", "480p"])
        #expect(plan.rungs.map(\.width) == [1920, 1280, 854])
        #expect(plan.rungs.map(\.profile) == ["high", "high", "main"])
    }

    @Test func uhdSourceGetsEveryRung() {
        #expect(LadderPlan(source: video(3840, 2160), preset: preset).rungs.count == 5)
    }

    @Test func smallSourceGetsOneRungAtItsOwnSize() {
        let plan = LadderPlan(source: video(426, 240), preset: preset)
        #expect(plan.rungs.map(\.name) == ["240p"])
        #expect(plan.rungs[0].width == 426 && plan.rungs[0].height == 240)
        #expect(plan.rungs[0].bitrate < preset.rungs[0].bitrate)
    }

    @Test func anamorphicPixelsBecomeSquareAtTheDisplayShape() {
        // PAL 16:9: 720x576 with SAR 64:45 displays as 1024x576.
        let plan = LadderPlan(source: video(720, 576, sar: Rational(64, 45)), preset: preset)
        #expect(plan.rungs.map(\.name) == ["480p"])
        #expect(plan.rungs[0].width == 854 && plan.rungs[0].height == 480)
    }

    @Test func portraitPhoneVideoStaysPortrait() {
        let plan = LadderPlan(source: video(1920, 1080, rotation: 90), preset: preset)
        #expect(plan.rungs.map { "\($0.width)x\($0.height)" } == ["1080x1920", "720x1280", "480x854"])
    }

    @Test func oddSizesGiveEvenDimensions() {
        let plan = LadderPlan(source: video(1279, 719), preset: preset)
        for rung in plan.rungs { #expect(rung.width % 2 == 0 && rung.height % 2 == 0) }
    }
}

