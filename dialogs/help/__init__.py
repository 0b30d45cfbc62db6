"""Help inside a question, and questions asked instead of answers ("集成电路算紧缺专业吗", "is Songjiang a new town?").

The mechanism (issue #12): ``consider`` decides whether a message is a question and about which topic
(recognise.py, the order of recognition), ``answer_text`` and ``explain`` give the words (render.py), and the
topics are data (topics.yaml and its words in locales/*/LC_MESSAGES/help.po). The conversation answers, then asks
the pending question again, unchanged: nothing is stored. Channel-neutral like everything in dialogs/.
"""

from dialogs.help.recognise import NOTHING, Consider, asks_for_points, consider, has_marker
from dialogs.help.render import HelpContext, answer_text, explain
from dialogs.help.topics import Topic, TopicError, help_of, topics

__all__ = ["NOTHING", "Consider", "HelpContext", "Topic", "TopicError", "answer_text", "asks_for_points", "consider",
           "explain", "has_marker", "help_of", "topics"]
