@testable import Packager
import Testing

/// Our TTML reader on the files real tools write (Netflix DFXP, Apple iTT, SMPTE-TT,
/// EBU-TT-D) and on hostile and broken ones: every cue a player shows, on the right clock,
/// nothing shown that is not a cue.
@Suite struct TTMLReaderTests {
    func summary(_ reading: SubtitleReading) -> [String] {
        reading.cues.map { "\(WebVTT.timestamp($0.start)) \(WebVTT.timestamp($0.end))\($0.settings.map { " [\($0)]" } ?? "") \($0.text)" }
    }

    func clock(_ parameters: String) -> TTMLClock {
        TTMLClock(root: try! XMLTree("<tt \(parameters)/>").root!)
    }

    @Test func aNetflixDFXPInTicksWithRegionsAndStyles() {
        let file = """
            <?xml version="1.0" encoding="utf-8"?>
            <tt xmlns:tt="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns:tts="http://www.w3.org/ns/ttml#styling" ttp:tickRate="10000000" ttp:timeBase="media" xmlns="http://www.w3.org/ns/ttml">
            <head>
            <ttp:profile use="http://netflix.com/ttml/profile/dfxp-ls-sdh"/>
            <styling>
            <style tts:color="white" tts:fontFamily="monospaceSansSerif" tts:fontSize="100%" xml:id="bodyStyle"/>
            <style tts:color="white" tts:fontStyle="italic" xml:id="style_0"/>
            </styling>
            <layout>
            <region tts:displayAlign="after" tts:extent="80.00% 80.00%" tts:origin="10.00% 10.00%" tts:textAlign="center" xml:id="region_00"/>
            <region tts:displayAlign="before" tts:extent="80.00% 80.00%" tts:origin="10.00% 10.00%" tts:textAlign="center" xml:id="region_01"/>
            </layout>
            </head>
            <body style="bodyStyle">
            <div xml:space="preserve">
            <p begin="40040000t" end="63230000t" region="region_00" xml:id="subtitle1">Previously on<br/><span style="style_0">The Crown</span></p>
            <p begin="70000000t" end="89000000t" region="region_01" xml:id="subtitle2">[DOOR OPENS]</p>
            </div>
            </body>
            </tt>
            """
        let reading = TTMLReader.read(file)
        #expect(reading.dropped.isEmpty)
        #expect(summary(reading) == [
            "00:00:04.004 00:00:06.323 [line:90%,end size:80%] Previously on\n<i>The Crown</i>",
            "00:00:07.000 00:00:08.900 [line:10% size:80%] [DOOR OPENS]",
        ])
    }

    @Test func anITTInSMPTETimeCodeAt23976CountsFramesNotSeconds() {
        let file = """
            <?xml version="1.0" encoding="UTF-8"?>
            <tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" ttp:timeBase="smpte" ttp:frameRate="24" ttp:frameRateMultiplier="1000 1001" ttp:dropMode="nonDrop" xml:lang="en">
              <head>
                <metadata><ttm:title>Episode 1</ttm:title></metadata>
                <styling>
                  <style xml:id="normal" tts:fontFamily="sansSerif" tts:fontWeight="normal" tts:fontStyle="normal" tts:color="white"/>
                  <style xml:id="italic" style="normal" tts:fontStyle="italic"/>
                </styling>
                <layout>
                  <region xml:id="top" tts:origin="0% 0%" tts:extent="100% 15%" tts:textAlign="center" tts:displayAlign="before"/>
                  <region xml:id="bottom" tts:origin="0% 85%" tts:extent="100% 15%" tts:textAlign="center" tts:displayAlign="after"/>
                </layout>
              </head>
              <body region="bottom" style="normal">
                <div>
                  <p begin="00:00:01:06" end="00:00:03:00">Where are you going?</p>
                  <p begin="00:00:04:00" end="00:00:06:18" region="top"><span style="italic">(thunder rumbling)</span></p>
                  <p begin="01:00:00:00" end="01:00:02:00">An hour of time code in.</p>
                </div>
              </body>
            </tt>
            """
        #expect(summary(TTMLReader.read(file)) == [
            "00:00:01.251 00:00:03.003 Where are you going?",
            "00:00:04.004 00:00:06.757 [line:0%] <i>(thunder rumbling)</i>",
            "01:00:03.600 01:00:05.602 An hour of time code in.",
        ], "a frame is 1001/24000 s; the bottom region is WebVTT's default place")
    }

    @Test func smpteDropFrameTimeCodeSkipsTwoFrameNumbersAMinuteButEveryTenth() {
        let file = """
            <?xml version="1.0" encoding="UTF-8"?>
            <tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns:smpte="http://www.smpte-ra.org/schemas/2052-1/2010/smpte-tt" ttp:timeBase="smpte" ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001" ttp:dropMode="dropNTSC">
              <head>
                <metadata><smpte:information origin="http://www.smpte-ra.org/schemas/2052-1/2010/smpte-tt#cea608" mode="Preserved"/></metadata>
                <smpte:image imagetype="PNG" encoding="Base64" xml:id="logo">iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==</smpte:image>
              </head>
              <body>
                <div smpte:backgroundImage="#logo" begin="00:00:00:00" end="00:00:05:00"/>
                <div>
                  <p begin="00:01:00:02" end="00:01:02:00">The first frame of minute one</p>
                  <p begin="00:10:00:00" end="00:10:02:00">Minute ten keeps its frames</p>
                  <p begin="01:00:00:00" end="01:00:03:00">An hour of time code is an hour</p>
                </div>
              </body>
            </tt>
            """
        let reading = TTMLReader.read(file)
        #expect(reading.dropped.isEmpty)
        #expect(summary(reading) == [
            "00:01:00.060 00:01:01.995 The first frame of minute one",
            "00:09:59.999 00:10:02.001 Minute ten keeps its frames",
            "00:59:59.996 01:00:02.999 An hour of time code is an hour",
        ])
        let images = TTMLReader.read(##"<tt xmlns:smpte="s"><head><smpte:image xml:id="i">AAAA</smpte:image></head><body><div smpte:backgroundImage="#i" begin="0s" end="2s"/></body></tt>"##)
        #expect(images.cues.isEmpty)
        #expect(images.notes == [SubtitleReading.Dropped(line: 1, reason: "holds only images (SMPTE-TT smpte:image, smpte:backgroundImage), which are not read")])
    }

    @Test func anEBUTTDWithRegionsInPercentAndCellsAndChainedStyles() {
        let file = """
            <?xml version="1.0" encoding="UTF-8"?>
            <tt:tt xmlns:tt="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ebuttm="urn:ebu:tt:metadata" ttp:timeBase="media" ttp:cellResolution="50 30" xml:lang="de">
              <tt:head>
                <tt:metadata><ebuttm:documentMetadata><ebuttm:conformsToStandard>urn:ebu:tt:distribution:2014-01</ebuttm:conformsToStandard></ebuttm:documentMetadata></tt:metadata>
                <tt:styling>
                  <tt:style xml:id="defaultStyle" tts:fontFamily="Verdana,Arial,Tiresias" tts:fontSize="160%" tts:lineHeight="125%"/>
                  <tt:style xml:id="textCenter" tts:textAlign="center"/>
                  <tt:style xml:id="textLeft" tts:textAlign="left"/>
                  <tt:style xml:id="italic" tts:fontStyle="italic"/>
                  <tt:style xml:id="emphasis" style="italic" tts:fontWeight="bold" tts:textDecoration="underline"/>
                  <tt:style xml:id="yellow" tts:color="#FFFF00" tts:backgroundColor="#000000c2"/>
                </tt:styling>
                <tt:layout>
                  <tt:region xml:id="bottom" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="after" tts:writingMode="lrtb"/>
                  <tt:region xml:id="top" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="before"/>
                  <tt:region xml:id="aside" tts:origin="2.5c 18c" tts:extent="20c 6c" tts:displayAlign="center"/>
                </tt:layout>
              </tt:head>
              <tt:body dur="00:00:30.000">
                <tt:div style="defaultStyle">
                  <tt:p xml:id="sub1" region="bottom" style="textCenter" begin="00:00:01.000" end="00:00:03.500">
                    <tt:span style="yellow">Guten Abend,</tt:span><tt:br/>
                    <tt:span style="yellow italic">meine Damen und Herren.</tt:span>
                  </tt:p>
                  <tt:p xml:id="sub2" region="top" style="textCenter" begin="00:00:04.000" end="00:00:06.000"><tt:span style="emphasis">EILMELDUNG</tt:span></tt:p>
                  <tt:p xml:id="sub3" region="aside" style="textLeft" begin="00:00:28.000" end="00:00:35.000"><tt:span>Cut at the body's end</tt:span></tt:p>
                </tt:div>
              </tt:body>
            </tt:tt>
            """
        let reading = TTMLReader.read(file)
        #expect(reading.dropped.isEmpty)
        #expect(summary(reading) == [
            "00:00:01.000 00:00:03.500 [line:90%,end size:80%] Guten Abend,\n<i>meine Damen und Herren.</i>",
            "00:00:04.000 00:00:06.000 [line:10% size:80%] <i><b><u>EILMELDUNG</u></b></i>",
            "00:00:28.000 00:00:30.000 [line:70%,center position:5% size:40% align:left] Cut at the body's end",
        ])
    }

    @Test func nestedContainersOffsetTheirContentAndCutItAtTheirEnd() {
        let file = """
            <tt xmlns="http://www.w3.org/ns/ttml">
            <body begin="10s">
              <div begin="5s">
                <p begin="1s" dur="2s">Sixteen to eighteen</p>
                <div begin="00:01:00.000" end="62s">
                  <p begin="1s" end="5s">Cut at its div's end</p>
                  <p begin="3s" end="4s">After its div ends</p>
                </div>
              </div>
              <div timeContainer="seq" begin="100s">
                <p dur="1.5s">First</p>
                <p begin="0.5s" dur="1s">Second</p>
                <p dur="500ms">Third</p>
              </div>
            </body>
            </tt>
            """
        let reading = TTMLReader.read(file)
        #expect(summary(reading) == [
            "00:00:16.000 00:00:18.000 Sixteen to eighteen",
            "00:01:16.000 00:01:17.000 Cut at its div's end",
            "00:01:50.000 00:01:51.500 First",
            "00:01:52.000 00:01:53.000 Second",
            "00:01:53.000 00:01:53.500 Third",
        ])
        #expect(reading.dropped == [SubtitleReading.Dropped(line: 7, reason: "starts (00:01:18.000) after the element it is in ends (00:01:17.000)")])
    }

    @Test func spansWithTimesOfTheirOwnMakeACueForEachStretchOfText() {
        let file = #"<tt><body><p begin="1s" end="4s"><span begin="0s" end="2s">Hello</span> <span begin="1s">world</span></p><p begin="5s" end="6s"><span begin="0s" end="1s">Same</span> text</p></body></tt>"#
        #expect(summary(TTMLReader.read(file)) == [
            "00:00:01.000 00:00:02.000 Hello",
            "00:00:02.000 00:00:03.000 Hello world",
            "00:00:03.000 00:00:04.000 world",
            "00:00:05.000 00:00:06.000 Same text",
        ])
    }

    @Test func lineBreaksEntitiesCDATAAndWhiteSpace() {
        let file = """
            <?xml version="1.0"?>
            <!-- made by hand -->
            <tt xmlns="http://www.w3.org/ns/ttml"><body><div>
            <p begin="0.5s" end="1.5s">Tom &amp; Jerry &lt;3 &#233;t&#xE9; &quot;q&quot; &apos;a&apos;<!-- a note --> x<?pi data?>y</p>
            <p begin="2s" end="3s"><![CDATA[<b>not a tag</b> & more]]></p>
            <p begin="4s" end="5s" xml:space="preserve">Line  one
              Line two</p>
            <p begin="6s" end="7s">  lots   of
                 space <br/>  here  <br/><br/> and --> arrows</p>
            </div></body></tt>
            """
        let reading = TTMLReader.read(file)
        #expect(reading.dropped.isEmpty)
        #expect(summary(reading) == [
            "00:00:00.500 00:00:01.500 Tom &amp; Jerry &lt;3 été \"q\" 'a' xy",
            "00:00:02.000 00:00:03.000 &lt;b&gt;not a tag&lt;/b&gt; &amp; more",
            "00:00:04.000 00:00:05.000 Line one\nLine two",
            "00:00:06.000 00:00:07.000 lots of space\nhere\nand --&gt; arrows",
        ], "preserve keeps line feeds (WebVTT collapses spaces itself); no empty line (it would end the cue), no -->")
    }

    @Test func everyFormOfTimeExpression() {
        let media = clock(#"ttp:frameRate="25" ttp:subFrameRate="2""#)
        #expect(media.seconds("00:00:02") == 2)
        #expect(media.seconds("01:02:03.25") == 3723.25)
        #expect(media.seconds("00:00:01:05") == 1.2)
        #expect(media.seconds("00:00:01:05.1") == 1.22)
        #expect(media.seconds("1.5h") == 5400)
        #expect(media.seconds("2m") == 120)
        #expect(media.seconds(" 3.5s ") == 3.5)
        #expect(media.seconds("250ms") == 0.25)
        #expect(media.seconds("50f") == 2)
        #expect(media.seconds("100t") == 2, "with a frame rate, a tick is a sub-frame")
        #expect(clock("").seconds("5t") == 5, "without one, a tick is a second")
        #expect(clock(#"ttp:tickRate="10000000""#).seconds("12345678t") == 1.2345678)
        #expect(clock("").seconds("00:00:00:15") == 0.5, "30 frames a second when none is said")
        let pal = clock(#"ttp:timeBase="smpte" ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001" ttp:dropMode="dropPAL""#)
        #expect(abs(pal.seconds("00:02:00:04")! - 3600 * 1.001 / 30) < 1e-9, "frames 0 to 3 of minute two are not counted")
        #expect(abs(pal.seconds("00:20:00:00")! - (36000 - 36) * 1.001 / 30) < 1e-9, "minute twenty keeps its frames")
        for bad in ["", "1", "1.s", "-1s", "1e3s", "00:60:00", "00:00:61", "0:0", "00:00:01.5:02", "00:00:0x", "9999999999h", "1 s"] {
            #expect(media.seconds(bad) == nil, "\(bad)")
        }
    }

    @Test func aPWithTimesThatCannotBeReadIsLeftOutAlone() {
        let file = """
            <tt xmlns="http://www.w3.org/ns/ttml"><body><div>
            <p begin="00:00:01.000" end="00:00:02.000">first</p>
            <p begin="00:00:0x.000" end="00:00:04.000">broken</p>
            <p begin="00:00:05.000">no end</p>
            <p begin="00:00:06.000" end="00:00:07.000">last <span begin="soon">never shown</span></p>
            <p begin="8s" end="7s">backwards</p>
            </div></body></tt>
            """
        let reading = TTMLReader.read(file)
        #expect(summary(reading) == ["00:00:01.000 00:00:02.000 first", "00:00:06.000 00:00:07.000 last"])
        #expect(reading.dropped == [
            SubtitleReading.Dropped(line: 3, reason: "its begin \"00:00:0x.000\" cannot be read"),
            SubtitleReading.Dropped(line: 4, reason: "has no end time (nor has any element it is in)"),
            SubtitleReading.Dropped(line: 5, reason: "its begin \"soon\" cannot be read"),
            SubtitleReading.Dropped(line: 6, reason: "ends (00:00:07.000) before it starts (00:00:08.000)"),
        ])
    }

    @Test func aFileThatIsNotTTMLOrHasNoTimedTextIsOneDrop() {
        #expect(TTMLReader.read("1\n00:00:01,000 --> 00:00:02,000\nan srt\n").notes == [SubtitleReading.Dropped(line: 1, reason: "has no tt root element: not TTML")])
        #expect(TTMLReader.read("<html><body><p>hi</p></body></html>").notes.map(\.reason) == ["has no tt root element: not TTML"])
        #expect(TTMLReader.read("<tt><head/></tt>").notes.map(\.reason) == ["has no body"])
        let untimed = TTMLReader.read("<tt><body>\n<div>\n<p>one</p>\n<p>two</p></div></body></tt>")
        #expect(untimed.cues.isEmpty)
        #expect(untimed.notes == [SubtitleReading.Dropped(line: 1, reason: "holds no p element with text and a time")])
    }

    @Test func aBillionLaughsIsNeverExpandedAndTheRestIsRead() {
        let entities = (1...9).map { level in "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">" }.joined(separator: "\n ")
        let file = """
            <?xml version="1.0"?>
            <!DOCTYPE tt [
             <!ENTITY lol0 "lol">
             \(entities)
             <!ENTITY xxe SYSTEM "file:///etc/passwd">
            ]>
            <tt xmlns="http://www.w3.org/ns/ttml"><body><div>
            <p begin="1s" end="2s">&lol9;</p>
            <p begin="3s" end="4s">Still read &xxe;</p>
            </div></body></tt>
            """
        let reading = TTMLReader.read(file)
        #expect(summary(reading) == ["00:00:03.000 00:00:04.000 Still read"])
        #expect(reading.notes == [SubtitleReading.Dropped(line: 2, reason: "declares XML entities, which are not read (entity-expansion attack)")])
    }

    @Test func hostileNestingIsRefusedNamingTheLimit() {
        let deep = "<tt><body><div begin=\"0s\" end=\"1s\">" + String(repeating: "<span>", count: 10_000) + "x" + String(repeating: "</span>", count: 10_000) + "</div></body></tt>"
        let reading = TTMLReader.read(deep)
        #expect(reading.cues.isEmpty)
        #expect(reading.notes == [SubtitleReading.Dropped(line: 1, reason: "nests elements deeper than 64 levels")])
        let chained = "<tt><head><styling>" + (0..<5000).map { "<style xml:id=\"s\($0)\" style=\"s\($0 + 1)\"/>" }.joined() + "<style xml:id=\"s5000\" style=\"s0\"/>"
            + "</styling></head><body><p begin=\"0s\" end=\"1s\" style=\"s0\">chained</p></body></tt>"
        #expect(summary(TTMLReader.read(chained)) == ["00:00:00.000 00:00:01.000 chained"], "a style chain is cut at \(TTMLStyling.maximumChain), a cycle never followed")
        let changes = "<tt><body><p begin=\"0s\" end=\"100s\">" + (0..<70).map { "<span begin=\"\($0)s\" end=\"\($0 + 1)s\">w</span>" }.joined() + "</p></body></tt>"
        #expect(TTMLReader.read(changes).dropped.map(\.reason) == ["changes its text more than 64 times"])
    }

    @Test func malformedXMLReadsAsBrowsersReadTagSoup() {
        let file = """
            <tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling">
            <body>
            <div>
            <p begin=1s end=2s>Unclosed br<br>here & there < 3
            <p begin="3s" end="4s"><span tts:fontStyle="italic">mismatched</b> end</p></span>
            <p begin="5s" end="6s">after <span>an unclosed span</p>
            <p begin="7s" end='8s' <span>a tag cut short</span>
            <p begin="9s" end="10s">and the file cut short
            """
        #expect(summary(TTMLReader.read(file)) == [
            "00:00:01.000 00:00:02.000 Unclosed br\nhere &amp; there &lt; 3",
            "00:00:03.000 00:00:04.000 <i>mismatched end</i>",
            "00:00:05.000 00:00:06.000 after an unclosed span",
            "00:00:07.000 00:00:08.000 a tag cut short",
            "00:00:09.000 00:00:10.000 and the file cut short",
        ])
        for junk in ["", "<", "<tt", "<tt><body><p begin=\"", "<!DOCTYPE [", "<![CDATA[", "<!--", "&#xFFFFFFFF;&#0;&#55296;", "<tt><body><p begin=\"0s\" end=\"1s\">&#55296;&#x110000;</p></body></tt>"] {
            #expect(TTMLReader.read(junk).cues.allSatisfy { $0.end > $0.start && !$0.text.isEmpty }, "\(junk)")
        }
        #expect(summary(TTMLReader.read("<tt><body><p begin=\"0s\" end=\"1s\">&#55296;&#x110000;</p></body></tt>")) == ["00:00:00.000 00:00:01.000 \u{FFFD}\u{FFFD}"])
    }

    @Test func hiddenTextAndMetadataAreNeverShown() {
        let file = """
            <tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttm="http://www.w3.org/ns/ttml#metadata">
            <body><div>
            <p begin="1s" end="2s">Shown<metadata><ttm:desc>a note</ttm:desc></metadata><span tts:visibility="hidden"> hidden</span><span tts:display="none"> gone</span><set tts:color="red"/></p>
            <p begin="3s" end="4s" tts:display="none">Not shown at all</p>
            <p begin="5s" end="6s" tts:textAlign="start">On the left</p>
            </div></body></tt>
            """
        #expect(summary(TTMLReader.read(file)) == ["00:00:01.000 00:00:02.000 Shown", "00:00:05.000 00:00:06.000 [align:start] On the left"])
    }

    @Test func pixelRegionsNeedTheRootExtent() {
        func file(_ root: String) -> String {
            """
            <tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling"\(root)>
            <head><layout><region xml:id="r" tts:origin="192px 108px" tts:extent="960px 216px" tts:displayAlign="before" tts:textAlign="right"/></layout></head>
            <body><p begin="1s" end="2s" region="r">Up on the right</p></body></tt>
            """
        }
        #expect(summary(TTMLReader.read(file(#" tts:extent="1920px 1080px""#))) == ["00:00:01.000 00:00:02.000 [line:10% position:60% size:50% align:right] Up on the right"])
        #expect(summary(TTMLReader.read(file(""))) == ["00:00:01.000 00:00:02.000 [align:right] Up on the right"])
    }
}
