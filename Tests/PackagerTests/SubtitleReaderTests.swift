@testable import Packager
import Testing

/// Our SubRip and WebVTT readers (SPEC §16) on the quirks of real files: every cue a lenient
/// player shows, nothing shown that is not a cue.
@Suite struct SubtitleReaderTests {
    func summary(_ reading: SubtitleReading) -> [String] {
        reading.cues.map { "\(WebVTT.timestamp($0.start)) \(WebVTT.timestamp($0.end))\($0.settings.map { " [\($0)]" } ?? "") \($0.text)" }
    }

    @Test func aNetflixStyleWebVTTWithNotesAndWhiteSpaceLinesKeepsEveryCue() {
        let file = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:181083,LOCAL:00:00:00.000\n\nNOTE Netflix\nNOTE Profile: webvtt-lssdh-ios8\n\n"
            + "1\n00:00:07.960 --> 00:00:10.880 position:50.00%,middle align:middle size:80.00% line:79.33%\n<i>Where are you going?</i>\n   \n"
            + "2\n00:00:11.000 --> 00:00:12.500 line:84.67%\n<c.japanese><c.bg_transparent>- Home.</c.bg_transparent></c.japanese>\n - Now?\n \t\n"
            + "NOTE a comment\nthat goes on\n\n3\n00:00:13.000 --> 00:00:14.000\n<v Roger Bingham>We are in New York City\n"
        let reading = WebVTTReader.read(file)
        #expect(reading.dropped.isEmpty)
        #expect(summary(reading) == [
            "00:00:07.960 00:00:10.880 [position:50.00%,middle align:middle size:80.00% line:79.33%] <i>Where are you going?</i>",
            "00:00:11.000 00:00:12.500 [line:84.67%] <c.japanese><c.bg_transparent>- Home.</c.bg_transparent></c.japanese>\n- Now?",
            "00:00:13.000 00:00:14.000 <v Roger Bingham>We are in New York City",
        ], "settings kept as written (a player ignores a value it does not know); identifiers never shown")
    }

    @Test func regionAndStyleBlocksAreSkippedAndTheirCuesKept() {
        let file = """
            WEBVTT - with regions

            REGION
            id:fred
            width:40%
            lines:3

            STYLE
            ::cue { color: yellow }

            00:00:00.000 --> 00:00:20.000 region:fred align:left
            <v Fred>Hi, my name is Fred

            00:00:02.500 --> 00:00:22.500 region:bill align:right
            <v Bill>Hi, I'm Bill
            """
        #expect(summary(WebVTTReader.read(file)) == [
            "00:00:00.000 00:00:20.000 [align:left] <v Fred>Hi, my name is Fred",
            "00:00:02.500 00:00:22.500 [align:right] <v Bill>Hi, I'm Bill",
        ])
    }

    @Test func aWebVTTCueWithABrokenTimingIsLeftOutAlone() {
        let reading = WebVTTReader.read("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfirst\n\nintro\n00:00:0x.000 --> 00:00:04.000\nbroken\n\n00:00:05.000 --> 00:00:06.000\nlast\n")
        #expect(summary(reading) == ["00:00:01.000 00:00:02.000 first", "00:00:05.000 00:00:06.000 last"])
        #expect(reading.dropped == [SubtitleReading.Dropped(line: 7, reason: "its timing line \"00:00:0x.000 --> 00:00:04.000\" cannot be read")])
        #expect(WebVTTReader.read("1\n00:00:01,000 --> 00:00:02,000\nan srt\n").cues.isEmpty, "not WEBVTT")
    }

    @Test func aSubRipMalformedTimestampNeverShowsItsLinesAsText() {
        // The issue's file: `00:00:11:890` (a colon before the milliseconds) and the cues around it.
        let file = "1\r\n00:00:01,600 --> 00:00:04,200\r\nFirst\r\n\r\n2\r\n00:00:05,900 --> 00:00:11:890\r\nSecond\r\n\r\n"
            + "3\r\n00:00:12,000 --> 00:00:1x,000\r\nBroken\r\n\r\n4\r\n00:00:16.5 --> 00:00:18.25\r\nFourth\r\n"
        let reading = SubRipReader.read(file)
        #expect(summary(reading) == ["00:00:01.600 00:00:04.200 First", "00:00:05.900 00:00:11.890 Second", "00:00:16.500 00:00:18.250 Fourth"])
        #expect(reading.dropped == [SubtitleReading.Dropped(line: 10, reason: "its timing line \"00:00:12,000 --> 00:00:1x,000\" cannot be read")])
        #expect(!reading.cues.contains { $0.text.contains("-->") || $0.text == "3" })
    }

    @Test func subRipWithoutIndexesOrBlankLinesAndWithTagsReadsAsPlayersShowIt() {
        let file = """

            00:00:01,000 --> 00:00:02,000 X1:100 X2:200 Y1:10 Y2:20
            <font color="#ffff00">Yellow</font> & <i>italic
            2
            00:00:03,000 --> 00:00:04,000
            {\\an8}On top <b>bold</b></b> <3


            7
            0:0:5,5 --> 0:0:6,75
            Late index
            """
        #expect(summary(SubRipReader.read(file)) == [
            "00:00:01.000 00:00:02.000 Yellow &amp; <i>italic</i>",
            "00:00:03.000 00:00:04.000 [line:0] On top <b>bold</b> &lt;3",
            "00:00:05.500 00:00:06.750 Late index",
        ])
    }

    @Test func hostileCuesAreRefusedNamingTheLimit() {
        let long = String(repeating: "x", count: SubtitleReading.maximumCueText + 1)
        let reading = SubRipReader.read("1\n00:00:01,000 --> 00:00:02,000\n\(long)\n\n2\n00:00:03,000 --> 00:00:02,000\nbackwards\n")
        #expect(reading.cues.isEmpty)
        #expect(reading.dropped.map(\.reason) == ["holds more than 16 KiB of text", "ends (00:00:02.000) before it starts (00:00:03.000)"])
        #expect(SubRipReader.read(String(decoding: (0..<4096).map { UInt8($0 % 256) }, as: UTF8.self)).cues.isEmpty)
    }
}
