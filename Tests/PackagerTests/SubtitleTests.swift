import Foundation
import LibAV
@testable import Packager
import Testing
import VaultLayout
import TestSupport

@Suite struct SidecarTests {
    @Test func languageAndFlagsComeFromTheFileName() throws {
        let forced = try Sidecar(argument: "/in/Movie (2020).en.forced.srt", kind: .subtitle)
        #expect(forced.path == "/in/Movie (2020).en.forced.srt" && forced.language.tag == "en" && forced.isForced)
        #expect(forced.displayName == "English (forced)")
        let sdh = try Sidecar(argument: "Movie.spa.sdh.srt", kind: .subtitle)
        #expect(sdh.language.tag == "es" && sdh.isHearingImpaired && !sdh.isForced)
        #expect(try Sidecar(argument: "Movie.en.hi.srt", kind: .subtitle).isHearingImpaired)
        let hindi = try Sidecar(argument: "Movie.hi.srt", kind: .subtitle)
        #expect(hindi.language.tag == "hi" && !hindi.isHearingImpaired)
        #expect(try Sidecar(argument: "subtitles.srt", kind: .subtitle).language == .undetermined)
        #expect(try Sidecar(argument: "Movie.final.srt", kind: .subtitle).language == .undetermined)
    }

    @Test func anExplicitLanguageWinsAndMustBeOne() throws {
        let dub = try Sidecar(argument: "/in/dub.es.m4a:fre", kind: .audio)
        #expect(dub.path == "/in/dub.es.m4a" && dub.language.tag == "fr" && dub.kind == .audio)
        #expect(try Sidecar(argument: "/in/a:b/track.srt", kind: .subtitle).path == "/in/a:b/track.srt")
        #expect(throws: PackagingError.self) { try Sidecar(argument: "/in/track.srt:klingon", kind: .subtitle) }
        do {
            _ = try Sidecar(argument: "/in/track.srt:xx", kind: .subtitle)
        } catch {
            #expect(error.description == "/in/track.srt: \"xx\" is not a language code (ISO 639-1 or 639-2, e.g. en, spa)")
        }
    }

    @Test func sidecarsOfAVideoAreFoundByItsStem() {
        let stem = "Show.Name.S01E02"
        #expect(Sidecar(path: "/i/Show.Name.S01E02.de.m4a", videoStem: stem) == Sidecar(kind: .audio, path: "/i/Show.Name.S01E02.de.m4a", language: Language(code: "de")!))
        #expect(Sidecar(path: "/i/Show.Name.S01E02.pt-BR.forced.vtt", videoStem: stem)?.language.tag == "pt-BR")
        #expect(Sidecar(path: "/i/Show.Name.S01E02.en.ass", videoStem: stem)?.kind == .subtitle)
        #expect(Sidecar(path: "/i/Show.Name.S01E03.en.srt", videoStem: stem) == nil)
        #expect(Sidecar(path: "/i/Show.Name.S01E02.nfo", videoStem: stem) == nil)
    }
}

@Suite struct SubtitleTextTests {
    @Test func assStylingIsStrippedAndBasicEmphasisKept() {
        #expect(SubtitleText.webVTT(fromDialogue: "0,0,Default,,0,0,0,,{\\i1}Hello{\\i0} world") == "<i>Hello</i> world")
        #expect(SubtitleText.webVTT(fromDialogue: "0,0,Default,,0,0,0,,Line one\\NLine two") == "Line one\nLine two")
        #expect(SubtitleText.webVTT(fromDialogue: "0,0,Top,,0,0,0,,{\\pos(10,10)\\c&H0000FF&}A < B & C, D")
            == "A &lt; B &amp; C, D")
        #expect(SubtitleText.webVTT(fromDialogue: "0,0,Sign,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100{\\p0}") == "")
        #expect(SubtitleText.webVTT(fromDialogue: "0,0,Default,,0,0,0,,{\\b1}bold {\\i1}both{\\b0} italic")
            == "<b>bold <i>both</i></b><i> italic</i>")
    }

    @Test func cuesMoveOntoTheTitleClockAndGetAnEnd() {
        let events = [
            SubtitleEvent(start: 2.5, end: 4.0, dialogue: ["0,0,Default,,0,0,0,,one"]),
            SubtitleEvent(start: 5.0, end: nil, dialogue: ["0,0,Default,,0,0,0,,two"]),
            SubtitleEvent(start: 6.0, end: nil, dialogue: ["0,0,Default,,0,0,0,,three"]),
            SubtitleEvent(start: 1.0, end: 1.4, dialogue: ["0,0,Default,,0,0,0,,before the picture"]),
        ]
        let cues = SubtitleCue.cues(from: events, offset: 1.5, duration: 6)
        #expect(cues == [SubtitleCue(start: 1.0, end: 2.5, text: "one"), SubtitleCue(start: 3.5, end: 4.5, text: "two"),
                         SubtitleCue(start: 4.5, end: 6, text: "three")])
    }

    @Test func segmentsRepeatCuesThatSpanABoundary() {
        let vtt = WebVTT(cues: [SubtitleCue(start: 1.5, end: 2.5, text: "across")])
        let first = vtt.segment(from: 0, to: 2, presentationStart: 6000)
        let second = vtt.segment(from: 2, to: 4, presentationStart: 6000)
        let third = vtt.segment(from: 4, to: 6, presentationStart: 6000)
        #expect(first == "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:6000,LOCAL:00:00:00.000\n\n00:00:01.500 --> 00:00:02.500\nacross\n")
        #expect(second.contains("across") && !third.contains("across"))
        #expect(WebVTT.timestamp(3725.0625) == "01:02:05.063")
    }
}

@Suite struct SubtitleFileTests {
    /// Legacy code pages told apart by the alphabets of their languages, and binary data refused.
    @Test(arguments: [
        ("C'est très déjà-vu, garçon, à l'école.", String.Encoding.windowsCP1252, TextEncoding.windows1252),
        ("¿Qué pasó, señor? Mañana.", .windowsCP1252, .windows1252),
        ("Привет, мир! Как дела? Всё хорошо.", .windowsCP1251, .windows1251),
        ("Zażółć gęślą jaźń, proszę pana.", .windowsCP1250, .windows1250),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy.", .windowsCP1250, .windows1250),
        ("Zażółć gęślą jaźń, proszę pana.", .isoLatin2, .isoLatin2),
        ("Καλημέρα κόσμε, τι κάνεις;", .windowsCP1253, .windows1253),
        ("Günaydın, nasılsın? Teşekkürler.", .windowsCP1254, .windows1254),
        ("こんにちは、世界。元気ですか？", .shiftJIS, .shiftJIS),
    ])
    func legacyEncodingsAreToldApart(line: String, saved: String.Encoding, expected: TextEncoding) throws {
        let text = "1\r\n00:00:01,000 --> 00:00:02,000\r\n\(line)\r\n"
        let bytes = try #require(text.data(using: saved))
        let decoded = try #require(TextEncoding.decode(bytes))
        #expect(decoded.encoding == expected && decoded.text == text)
        #expect(TextEncoding.decode(Data([0x1A, 0x45, 0xDF, 0xA3, 0x00, 0x01, 0x02, 0x80, 0x03, 0x04] + Array(repeating: 0x07, count: 100))) == nil, "binary data is not text")
    }

    @Test func aLegacyEncodingIsSaidInTheTracksWarning() throws {
        let file = try Fixtures.temporaryFolder("sidecar").appendingPathComponent("movie.ru.srt")
        try "1\n00:00:01,000 --> 00:00:02,000\nПривет, мир!\n".data(using: .windowsCP1251)!.write(to: file)
        let contents = try SubtitleFile.read(at: file.path)
        #expect(contents.encoding == .windows1251 && contents.reading.cues.map(\.text) == ["Привет, мир!"])
        let warning = TrackProblem.warning(for: contents, cuesInTitle: 1, file: "movie.ru.srt", language: Language(code: "ru")!)
        #expect(warning == TrackWarning(file: "movie.ru.srt", language: "ru", cuesRead: 1, cuesDropped: 0,
                                        reason: "its text was read as Windows-1251 (Cyrillic)", published: true))
        let binary = file.deletingLastPathComponent().appendingPathComponent("movie.de.srt")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: binary)
        #expect { try SubtitleFile.read(at: binary.path) } throws: { "\($0)" == binary.path + ": is not text (binary data, or an encoding that cannot be told)" }
    }

    static let text = "1\n00:00:01,000 --> 00:00:02,500\nÉté à Málaga: ¡señores!\n\n2\n00:00:03,000 --> 00:00:03,500\nFin.\n"

    @Test(arguments: ["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "latin1"])
    func everyCommonEncodingReadsTheSame(encoding: String) throws {
        let bytes: Data = switch encoding {
        case "utf8": Data(Self.text.utf8)
        case "utf8-bom": Data([0xEF, 0xBB, 0xBF]) + Data(Self.text.utf8)
        case "utf16le-bom": Data([0xFF, 0xFE]) + Self.text.data(using: .utf16LittleEndian)!
        case "utf16be-bom": Data([0xFE, 0xFF]) + Self.text.data(using: .utf16BigEndian)!
        case "utf16le": Self.text.data(using: .utf16LittleEndian)!
        default: Self.text.data(using: .isoLatin1)!
        }
        #expect(TextEncoding.decode(bytes)?.text == Self.text)
        let file = try Fixtures.temporaryFolder("sidecar").appendingPathComponent("movie.\(encoding).srt")
        try bytes.write(to: file)
        let reading = try SubtitleFile.read(at: file.path).reading
        #expect(reading.cues.count == 2 && reading.dropped.isEmpty)
        #expect(reading.cues.first?.text == "Été à Málaga: ¡señores!")
        #expect(reading.cues.first?.start == 1.0 && reading.cues.first?.end == 2.5)
    }

    @Test func assSidecarKeepsTextAndTiming() throws {
        let ass = """
        [Script Info]
        ScriptType: v4.00+

        [V4+ Styles]
        Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
        Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,2,10,10,10,1

        [Events]
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
        Dialogue: 0,0:00:01.20,0:00:03.40,Default,,0,0,0,,{\\b1}Bold{\\b0} and {\\c&H0000FF&}red, too\\Nsecond line

        """
        let file = try Fixtures.temporaryFolder("sidecar").appendingPathComponent("movie.en.ass")
        try Data(ass.utf8).write(to: file)
        LibAVLog.silence()
        let cues = try SubtitleFile.read(at: file.path).reading.cues
        #expect(cues.map(\.text) == ["<b>Bold</b> and red, too\nsecond line"])
        #expect(cues.map { WebVTT.timestamp($0.start) + " --> " + WebVTT.timestamp($0.end) } == ["00:00:01.200 --> 00:00:03.400"])
    }

    @Test func aFileThatIsNotSubtitlesHoldsNoCueAndSaysWhy() throws {
        let folder = try Fixtures.temporaryFolder("sidecar")
        try Data("these are my notes, not subtitles\n".utf8).write(to: folder.appendingPathComponent("notes.en.srt"))
        let reading = try SubtitleFile.read(at: folder.appendingPathComponent("notes.en.srt").path).reading
        #expect(reading.cues.isEmpty && reading.dropped == [SubtitleReading.Dropped(line: 1, reason: "has no timing line")])
        try Data("these are my notes\n".utf8).write(to: folder.appendingPathComponent("notes.en.ass"))
        let ass = try SubtitleFile.read(at: folder.appendingPathComponent("notes.en.ass").path).reading
        #expect(ass.cues.isEmpty && ass.notes == [SubtitleReading.Dropped(line: 1, reason: "has no [Events] section")])
        let text = folder.appendingPathComponent("notes.en.txt")
        try Data("these are my notes\n".utf8).write(to: text)
        #expect { try SubtitleFile.read(at: text.path) } throws: { "\($0)" == text.path + ": is not a subtitle format StreamVault reads" }
    }
}
