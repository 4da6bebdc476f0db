// Goal: the four-letter words report the node's role as ZooKeeper's do, so probes and scripts
// written for ZooKeeper read Tern's answers. Method: feed leadership views, read the replies.

import Testing
import TernCoordination
import TernPrimitives
import TernZooKeeperServer

@Suite struct FourLetterWordsTests {
    @Test func srvr_followsLeadership_leaderFollowerAndNotServing() {
        let words = FourLetterWords(ensembleSize: 3)
        #expect(words.answer("srvr")?.contains("not currently serving") == true)
        words.update(Leadership(leader: NodeID(2), term: 4, isLocal: true))
        #expect(words.answer("srvr")?.contains("Mode: leader\n") == true)
        words.update(Leadership(leader: NodeID(1), term: 5, isLocal: false))
        #expect(words.answer("srvr")?.contains("Mode: follower\n") == true)
        #expect(words.answer("mntr")?.contains("zk_server_state\tfollower\n") == true)
        words.update(Leadership(leader: nil, term: 6, isLocal: false))
        #expect(words.answer("stat")?.contains("not currently serving") == true)
    }

    @Test func loneNode_isStandalone_unknownWordsAreNotAnswered() {
        let words = FourLetterWords(ensembleSize: 1)
        words.update(Leadership(leader: NodeID(1), term: 1, isLocal: true))
        #expect(words.answer("srvr")?.contains("Mode: standalone\n") == true)
        #expect(words.answer("ruok") == "imok")
        #expect(words.answer("kill") == nil)
    }
}
